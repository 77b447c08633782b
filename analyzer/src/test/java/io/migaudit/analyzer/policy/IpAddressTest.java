package io.migaudit.analyzer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A policy's addresses parse from any literal spelling and print as records spell them. */
class IpAddressTest {
  @Test
  void printsTheCanonicalTextOfAnySpelling() {
    assertThat(IpAddress.parse("192.168.50.11")).hasToString("192.168.50.11");
    assertThat(IpAddress.parse("FD00:0050:0000:0000:0000:0000:0000:0011"))
        .hasToString("fd00:50::11");
    assertThat(IpAddress.parse("0:0:0:0:0:0:0:1")).hasToString("::1");
    assertThat(IpAddress.parse("1:0:0:2:0:0:0:3")).hasToString("1:0:0:2::3");
    assertThat(IpAddress.parse("::ffff:192.168.50.11")).hasToString("::ffff:c0a8:320b");
  }

  @Test
  void refusesWhatIsNoAddressLiteral() {
    assertThat(IpAddress.parse("host.example")).isNull();
    assertThat(IpAddress.parse("192.168.050.11")).isNull();
    assertThat(IpAddress.parse("fe80::1%eth0")).isNull();
    assertThat(IpAddress.parse("1::2::3")).isNull();
  }
}
