package io.migaudit.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressTextTest {
  @Test
  void ipv4IsDottedQuad() {
    assertThat(AddressText.format(4, 0, 0xC0A8320BL)).isEqualTo("192.168.50.11");
  }

  @Test
  void ipv6CompressesLongestZeroRun() {
    assertThat(AddressText.format(6, 0xfd00005000000000L, 0x11L)).isEqualTo("fd00:50::11");
    assertThat(AddressText.format(6, 0, 1)).isEqualTo("::1");
    assertThat(AddressText.compress("1:0:2:0:0:3:0:4")).isEqualTo("1:0:2::3:0:4");
    assertThat(AddressText.compress("1:2:3:4:5:6:7:8")).isEqualTo("1:2:3:4:5:6:7:8");
  }
}
