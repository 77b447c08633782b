package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Random;
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
    assertThat(AddressText.format(6, 0, 0)).isEqualTo("::");
    assertThat(AddressText.format(6, 0xfe80000000000000L, 0)).isEqualTo("fe80::");
    assertThat(AddressText.format(6, 0x0001000000020000L, 0x0000000300000004L))
        .isEqualTo("1:0:2::3:0:4");
    assertThat(AddressText.format(6, 0x0001000200030004L, 0x0005000600070008L))
        .isEqualTo("1:2:3:4:5:6:7:8");
  }

  /** Found by CaptureFuzzTest: Java turns these bytes into an Inet4Address. */
  @Test
  void ipv4MappedIpv6StaysIpv6() {
    assertThat(AddressText.format(6, 0, 0x0000ffffC0A8320BL)).isEqualTo("::ffff:c0a8:320b");
  }

  @Test
  void agreesWithTheJdkOnRandomAddresses() throws Exception {
    Random r = new Random(7);
    for (int n = 0; n < 2000; n++) {
      long hi = r.nextInt(3) == 0 ? 0 : r.nextLong() & 0xffff0000ffff0000L;
      long lo = r.nextLong() & (r.nextBoolean() ? 0xffffffffffffffffL : 0x00000000ffff0000L);
      byte[] b = new byte[16];
      for (int i = 0; i < 8; i++) {
        b[i] = (byte) (hi >>> (56 - 8 * i));
        b[8 + i] = (byte) (lo >>> (56 - 8 * i));
      }
      String text = AddressText.format(6, hi, lo);
      assertThat(InetAddress.getByName(text).getAddress()).as(text).isEqualTo(b);
    }
  }

  @Test
  void bytesGiveTheSameTextAsLongs() throws Exception {
    assertThat(AddressText.format(new byte[] {(byte) 192, (byte) 168, 50, 11}))
        .isEqualTo("192.168.50.11");
    Random r = new Random(11);
    for (int n = 0; n < 500; n++) {
      long hi = r.nextBoolean() ? 0 : r.nextLong() & 0xffff0000ffff0000L;
      long lo = r.nextLong() & (r.nextBoolean() ? 0xffffffffffffffffL : 0x00000000ffff0000L);
      byte[] b = new byte[16];
      for (int i = 0; i < 8; i++) {
        b[i] = (byte) (hi >>> (56 - 8 * i));
        b[8 + i] = (byte) (lo >>> (56 - 8 * i));
      }
      assertThat(AddressText.format(b)).isEqualTo(AddressText.format(6, hi, lo));
      assertThat(InetAddress.getByName(AddressText.format(b)).getAddress()).isEqualTo(b);
    }
  }

  @Test
  void otherLengthsAreRefused() {
    assertThatThrownBy(() -> AddressText.format(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not 5");
  }
}
