package io.migaudit.analyzer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

  private static Cidr cidr(String text) {
    return Cidr.parse(text).orElseThrow(() -> new AssertionError("did not parse: " + text));
  }

  @Test
  void ipv4NetworkContainsItsAddressesOnly() {
    Cidr net = cidr("192.168.50.0/24");
    assertThat(net.contains("192.168.50.0")).isTrue();
    assertThat(net.contains("192.168.50.255")).isTrue();
    assertThat(net.contains("192.168.51.0")).isFalse();
    assertThat(net.contains("192.168.49.255")).isFalse();
    assertThat(net.ipVersion()).isEqualTo(4);
  }

  @Test
  void prefixNotOnByteBoundary() {
    Cidr net = cidr("10.0.0.0/13");
    assertThat(net.contains("10.7.255.255")).isTrue();
    assertThat(net.contains("10.8.0.0")).isFalse();
  }

  @Test
  void bareAddressIsHostRoute() {
    assertThat(cidr("192.168.50.11").prefixLength()).isEqualTo(32);
    assertThat(cidr("192.168.50.11").contains("192.168.50.11")).isTrue();
    assertThat(cidr("192.168.50.11").contains("192.168.50.12")).isFalse();
    assertThat(cidr("fd00:50::11").prefixLength()).isEqualTo(128);
    assertThat(cidr("fd00:50::11").contains("fd00:50:0:0:0:0:0:11")).isTrue();
    assertThat(cidr("fd00:50::11").contains("fd00:50::12")).isFalse();
  }

  @Test
  void ipv6NetworkMatchesAnySpellingOfItsAddresses() {
    Cidr net = cidr("fd00:50::/64");
    assertThat(net.contains("fd00:50::12")).isTrue();
    assertThat(net.contains("FD00:0050:0000:0000:ffff:ffff:ffff:ffff")).isTrue();
    assertThat(net.contains("fd00:51::12")).isFalse();
    assertThat(net.ipVersion()).isEqualTo(6);
  }

  @Test
  void ipv6WithEmbeddedIpv4() {
    Cidr net = cidr("::ffff:0:0/96");
    assertThat(net.contains("::ffff:192.168.50.11")).isTrue();
    assertThat(net.contains("::fffe:192.168.50.11")).isFalse();
  }

  @Test
  void familiesNeverMatchEachOther() {
    assertThat(cidr("0.0.0.0/0").contains("192.168.50.11")).isTrue();
    assertThat(cidr("0.0.0.0/0").contains("fd00:50::11")).isFalse();
    assertThat(cidr("::/0").contains("fd00:50::11")).isTrue();
    assertThat(cidr("::/0").contains("192.168.50.11")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "192.168.500.0/24",
        "192.168.50/24",
        "192.168.50.0.1",
        "192.168.050.1",
        "192.168.50.0/33",
        "192.168.50.0/",
        "192.168.50.0/-1",
        "192.168.50.0/2a",
        "fd00:50::/129",
        "fd00::50::1",
        "fd00:50:::1",
        "fd00:12345::1",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "fe80::1%eth0",
        "1.2.3.4::1",
        "vcenter.local",
        "localhost",
        "esx-a",
        "g::1",
        " 192.168.50.11",
        "192.168.50.\u0661"
      })
  void refusesWhatIsNotALiteral(String text) {
    assertThat(Cidr.parse(text)).as(text).isEmpty();
  }

  @Test
  void refusesHostBitsAndSaysWhatWasMeant() {
    assertThat(Cidr.parse("192.168.50.1/24")).isEmpty();
    assertThat(Cidr.withoutHostBits("192.168.50.1/24")).contains("192.168.50.0/24");
    assertThat(Cidr.withoutHostBits("fd00:50::1/64")).contains("fd00:50::/64");
    assertThat(Cidr.withoutHostBits("192.168.50.0/24")).isEmpty();
    assertThat(Cidr.withoutHostBits("nonsense/24")).isEmpty();
  }

  @Test
  void addressesThatDoNotParseAreNeverContained() {
    Cidr all = cidr("0.0.0.0/0");
    assertThat(all.contains("not-an-address")).isFalse();
    assertThat(all.contains(null)).isFalse();
    assertThat(all.contains("")).isFalse();
  }

  @Test
  void canonicalText() {
    assertThat(cidr("fd00:0050:0:0:0:0:0:0/64")).hasToString("fd00:50::/64");
    assertThat(cidr("2001:db8:0:0:1:0:0:1")).hasToString("2001:db8::1:0:0:1/128");
    assertThat(cidr("::")).hasToString("::/128");
    assertThat(cidr("1:0:0:0:0:0:0:0")).hasToString("1::/128");
    assertThat(cidr("1:2:3:4:5:6:7:0")).hasToString("1:2:3:4:5:6:7:0/128");
    assertThat(cidr("192.168.50.0/24")).hasToString("192.168.50.0/24");
    assertThat(cidr("192.168.50.0/24")).isEqualTo(cidr("192.168.50.0/24"));
  }
}
