package io.migaudit.analyzer.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.record.Severity;
import org.junit.jupiter.api.Test;

class CryptoPolicyTest {

  private static Policy parse(String yaml) throws PolicyException {
    return PolicyLoader.parse("policy.yaml", yaml);
  }

  private static void assertRejected(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(PolicyException.class).hasMessage(message);
  }

  @Test
  void readsTheSections() throws Exception {
    Policy p =
        parse(
            """
        crypto:
          minTlsVersion: 1.3
          deny: [CBC, sha1]
          requireForwardSecrecy: true
          requireClientAuth: true
          rejectSelfSigned: true
          rejectExpired: false
          severity: critical
        routable:
          allowed:
            - {from: 10.1.50.0/24, to: 10.2.50.0/24, maxHops: 2}
        """);
    CryptoPolicy c = p.crypto();
    assertThat(c.minTlsVersion()).isEqualTo("TLS 1.3");
    assertThat(c.belowMinimum("TLS 1.2")).isTrue();
    assertThat(c.denied("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256")).isEqualTo("cbc");
    assertThat(c.requireForwardSecrecy()).isTrue();
    assertThat(c.requireClientAuth()).isTrue();
    assertThat(c.rejectSelfSigned()).isTrue();
    assertThat(c.rejectExpired()).isFalse();
    assertThat(c.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(p.routable().admitting("10.2.50.7", "10.1.50.9", 2)).isNotNull();
    assertThat(p.routable().admitting("10.2.50.7", "10.1.50.9", 3)).isNull();
    assertThat(p.routable().admitting("10.3.50.7", "10.1.50.9", 1)).isNull();
  }

  @Test
  void defaultsWhenAbsent() throws Exception {
    Policy p = parse("encryption: required\n");
    assertThat(p.crypto()).isEqualTo(CryptoPolicy.defaults());
    assertThat(p.crypto().belowMinimum("TLS 1.1")).isTrue();
    assertThat(p.crypto().belowMinimum("TLS 1.2")).isFalse();
    assertThat(p.routable().allowed()).isEmpty();
  }

  @Test
  void badValuesAreRefusedWithTheirLine() {
    assertRejected(
        "crypto:\n  minTlsVersion: 2.0\n",
        "policy.yaml:2: crypto.minTlsVersion: 2.0 is not one of 1.0, 1.1, 1.2, 1.3");
    assertRejected(
        "crypto:\n  severity: info\n",
        "policy.yaml:2: crypto.severity: \"info\" is not warning or critical");
    assertRejected(
        "crypto:\n  requireClientAuth: maybe\n",
        "policy.yaml:2: crypto.requireClientAuth: \"maybe\" is not true or false");
    assertRejected(
        "crypto:\n  deny: [\"\"]\n",
        "policy.yaml:2: crypto.deny[0]: \"\" is not an algorithm name");
    assertRejected(
        "routable:\n  allowed:\n    - {from: 10.1.0.0/16}\n",
        "policy.yaml:3: routable.allowed[0]: missing field \"to\"");
    assertRejected(
        "routable:\n  allowed:\n    - {from: 10.1.0.0/16, to: 10.2.0.0/16, maxHops: 0}\n",
        "policy.yaml:3: routable.allowed[0].maxHops: 0 is not a number of routers (1-254)");
  }
}
