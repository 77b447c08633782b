package io.migaudit.analyzer.rules;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.CryptoPolicy;
import io.migaudit.analyzer.policy.EncryptionMode;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.RoutablePolicy;
import io.migaudit.record.Alert;
import io.migaudit.record.EspProtection;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Handshake;
import io.migaudit.record.IkeProposals;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import io.migaudit.record.SshHandshake;
import io.migaudit.record.TlsCertificate;
import io.migaudit.record.TlsHandshake;
import io.migaudit.record.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WeakMigrationCryptoRuleTest {
  private final WeakMigrationCryptoRule rule = new WeakMigrationCryptoRule();
  private final MigrationDetector detector = new MigrationDetector(Flows.samplePolicy());

  static Handshake tls(String version, String suite, String clientCert, TlsCertificate cert) {
    return new Handshake(
        new TlsHandshake(List.of(version), version, suite, clientCert, cert), null, null, null);
  }

  static Handshake ssh(String cipher, String mac) {
    return new Handshake(null, new SshHandshake(null, null, cipher, cipher, mac, mac), null, null);
  }

  private Optional<Alert> judge(Handshake h, Policy policy) {
    FlowRecord r =
        flow("192.168.50.11", "192.168.50.12", 49152)
            .verdict(Verdict.ENCRYPTED, "tls framing")
            .build()
            .withPath(null, h);
    return rule.evaluate(detector.classify(r), policy);
  }

  private Optional<Alert> judge(Handshake h) {
    return judge(h, Flows.samplePolicy());
  }

  private static Policy with(CryptoPolicy crypto) {
    return Flows.samplePolicy().withPath(crypto, RoutablePolicy.none());
  }

  @Test
  void modernTls13AndSshGcmRaiseNothing() {
    assertThat(
            judge(
                tls(
                    "TLS 1.3",
                    "TLS_AES_256_GCM_SHA384",
                    TlsHandshake.CLIENT_CERT_NOT_VISIBLE,
                    null)))
        .isEmpty();
    assertThat(judge(ssh("aes256-gcm@openssh.com", "umac-128-etm@openssh.com"))).isEmpty();
    assertThat(judge(ssh("chacha20-poly1305@openssh.com", "hmac-md5")))
        .as("AEAD: the MAC is unused")
        .isEmpty();
  }

  @Test
  void oldTlsVersionIsAWarning() {
    Alert a =
        judge(tls("TLS 1.1", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", null, null)).orElseThrow();
    assertThat(a.rule()).isEqualTo(RuleId.WEAK_MIGRATION_CRYPTO);
    assertThat(a.severity()).isEqualTo(Severity.WARNING);
    assertThat(a.message()).contains("TLS 1.1 below TLS 1.2");
    assertThat(a.controls()).contains("NIST SC-13");
  }

  @Test
  void nullSuiteIsCritical() {
    Alert a = judge(tls("TLS 1.2", "TLS_RSA_WITH_NULL_SHA256", null, null)).orElseThrow();
    assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(a.evidence()).containsEntry("noEncryption", true);
  }

  @Test
  void weakSuiteFamiliesAreNamed() {
    assertThat(
            judge(tls("TLS 1.2", "TLS_RSA_WITH_RC4_128_SHA", null, null)).orElseThrow().message())
        .contains("RC4");
    assertThat(
            judge(tls("TLS 1.2", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", null, null))
                .orElseThrow()
                .message())
        .contains("3DES");
    assertThat(
            judge(tls("TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", null, null))
                .orElseThrow()
                .message())
        .contains("CBC with SHA-1");
    assertThat(
            judge(tls("TLS 1.2", "TLS_RSA_EXPORT_WITH_RC4_40_MD5", null, null))
                .orElseThrow()
                .message())
        .contains("EXPORT");
    assertThat(judge(tls("TLS 1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", null, null)))
        .isEmpty();
  }

  @Test
  void policyAsksForForwardSecrecyClientAuthAndGoodCertificates() {
    TlsCertificate self =
        new TlsCertificate(
            "SHA256withRSA",
            "RSA",
            2048,
            Instant.parse("2020-01-01T00:00:00Z"),
            Instant.parse("2021-01-01T00:00:00Z"),
            true);
    Handshake h =
        tls(
            "TLS 1.2",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            TlsHandshake.CLIENT_CERT_NOT_REQUESTED,
            self);
    CryptoPolicy lenient =
        new CryptoPolicy("TLS 1.2", List.of(), false, false, false, false, Severity.WARNING);
    assertThat(judge(h, with(lenient))).isEmpty();
    CryptoPolicy strict =
        new CryptoPolicy("TLS 1.2", List.of(), true, true, true, true, Severity.CRITICAL);
    Alert a = judge(h, with(strict)).orElseThrow();
    assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
    assertThat((List<?>) a.evidence().get("findings")).hasSize(4);
    assertThat(a.message())
        .contains("no forward secrecy", "client certificate", "self-signed", "not valid");
  }

  @Test
  void tls13CannotBeFaultedForAClientCertificateItHides() {
    CryptoPolicy strict =
        new CryptoPolicy("TLS 1.3", List.of(), true, true, true, true, Severity.WARNING);
    assertThat(
            judge(
                tls(
                    "TLS 1.3",
                    "TLS_AES_128_GCM_SHA256",
                    TlsHandshake.CLIENT_CERT_NOT_VISIBLE,
                    null),
                with(strict)))
        .isEmpty();
  }

  @Test
  void sshNoneIsCriticalCbcAndMd5AreWarnings() {
    assertThat(judge(ssh("none", "hmac-sha2-256")).orElseThrow().severity())
        .isEqualTo(Severity.CRITICAL);
    Alert cbc = judge(ssh("aes128-cbc", "hmac-md5")).orElseThrow();
    assertThat(cbc.severity()).isEqualTo(Severity.WARNING);
    assertThat(cbc.message()).contains("CBC mode", "MD5");
    assertThat(judge(ssh("arcfour256", "hmac-sha1")).orElseThrow().message()).contains("RC4");
    assertThat(judge(ssh("aes128-ctr", "hmac-sha2-256"))).isEmpty();
  }

  @Test
  void theDenyListAddsNames() {
    CryptoPolicy deny =
        new CryptoPolicy("TLS 1.2", List.of("aes128"), false, false, false, true, Severity.WARNING);
    assertThat(judge(ssh("aes128-ctr", "hmac-sha2-256"), with(deny)).orElseThrow().message())
        .contains("aes128");
  }

  @Test
  void espNullAndIkeNullAreCritical() {
    // an ESP tunnel counts as a migration once it shows a memory copy (CopyEvidence)
    FlowRecord r =
        flow("192.168.50.11", "192.168.50.12", 0)
            .transport("esp")
            .verdict(Verdict.ENCRYPTED, "esp")
            .payload(1 << 20, 4096)
            .last()
            .build()
            .withPath(
                null,
                new Handshake(null, null, new EspProtection(EspProtection.NULL, "tcp", 12), null));
    Alert a =
        rule.evaluate(new MigrationDetector(Flows.samplePolicy()).classify(r), Flows.samplePolicy())
            .orElseThrow();
    assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(a.message()).contains("ESP-NULL");
    Handshake ike =
        new Handshake(
            null,
            null,
            null,
            new IkeProposals(
                List.of("ENCR_AES_GCM_16-256", "ENCR_NULL"),
                List.of("ENCR_NULL", "PRF_HMAC_SHA2_256")));
    assertThat(judge(ike).orElseThrow().severity()).isEqualTo(Severity.CRITICAL);
  }

  @Test
  void aRecordWithHolesFromAnyoneOnTheTopicIsJudgedOnWhatItHas() {
    TlsCertificate holes = new TlsCertificate(null, null, 0, null, null, false);
    Handshake h =
        new Handshake(
            new TlsHandshake(null, null, null, null, holes),
            new SshHandshake(null, null, null, null, null, null),
            new EspProtection(null, null, 0),
            new IkeProposals(null, null));
    CryptoPolicy strict =
        new CryptoPolicy("TLS 1.3", List.of("x"), true, true, true, true, Severity.WARNING);
    assertThat(judge(h, with(strict))).isEmpty();
  }

  @Test
  void notAMigrationOrNoHandshakeRaisesNothing() {
    FlowRecord https =
        flow("10.9.9.1", "10.9.9.2", 443)
            .build()
            .withPath(null, tls("TLS 1.0", "TLS_RSA_WITH_NULL_SHA", null, null));
    assertThat(rule.evaluate(detector.classify(https), Flows.samplePolicy())).isEmpty();
    FlowRecord none = flow("192.168.50.11", "192.168.50.12", 49152).build();
    assertThat(rule.evaluate(detector.classify(none), Flows.samplePolicy())).isEmpty();
  }

  @Test
  void aNullSuiteMakesTheMigrationUnencryptedWhateverTheStatistics() {
    FlowRecord r =
        flow("192.168.50.11", "192.168.50.12", 49152)
            .verdict(Verdict.ENCRYPTED, "tls framing")
            .build()
            .withPath(null, tls("TLS 1.2", "TLS_RSA_WITH_NULL_SHA256", null, null));
    Alert a =
        new UnencryptedMigrationRule()
            .evaluate(detector.classify(r), Flows.samplePolicy())
            .orElseThrow();
    assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(a.message()).contains("TLS_RSA_WITH_NULL_SHA256 does not encrypt");
    assertThat(
            new UnencryptedMigrationRule()
                .evaluate(detector.classify(r), Flows.samplePolicy(EncryptionMode.DISABLED)))
        .isEmpty();
  }
}
