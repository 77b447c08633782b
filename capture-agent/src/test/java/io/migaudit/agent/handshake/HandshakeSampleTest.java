package io.migaudit.agent.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.SampleCaptures;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.HopLimits;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.TlsHandshake;
import io.migaudit.record.Verdict;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The agent on the real captures of tools/samples/make-crypto-samples.sh and make-samples.sh. */
class HandshakeSampleTest {

  static FlowRecord migration(String sample, int port) throws IOException {
    return SampleCaptures.finalRecords(sample).stream()
        .filter(r -> r.dstPort() == port)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void openSslNullCipherSessionShowsSuiteAndCertificate() throws IOException {
    TlsHandshake tls = migration("tls-null-cipher", 8000).handshake().tls();
    assertThat(tls.offeredVersions()).containsExactly("TLS 1.2");
    assertThat(tls.version()).isEqualTo("TLS 1.2");
    assertThat(tls.cipherSuite()).isEqualTo("TLS_RSA_WITH_NULL_SHA256");
    assertThat(tls.clientCertificate()).isEqualTo(TlsHandshake.CLIENT_CERT_NOT_REQUESTED);
    assertThat(tls.certificate().keyBits()).isEqualTo(2048);
    assertThat(tls.certificate().selfSigned()).isTrue();
    FlowRecord r = migration("tls-null-cipher", 8000);
    assertThat(r.payload().verdict())
        .as("the record bodies are plaintext")
        .isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.payload().reason()).hasSizeLessThanOrEqualTo(PayloadFeatures.MAX_REASON_CHARS);
  }

  @Test
  void tls10SessionAndQemuTls13WithMutualAuth() throws IOException {
    assertThat(migration("tls-1.0-migration", 8000).handshake().tls().version())
        .isEqualTo("TLS 1.0");
    TlsHandshake qemu = migration("qemu-tls", 49152).handshake().tls();
    assertThat(qemu.version()).isEqualTo("TLS 1.3");
    assertThat(qemu.clientCertificate()).isEqualTo(TlsHandshake.CLIENT_CERT_NOT_VISIBLE);
    assertThat(qemu.certificate()).isNull();
  }

  @Test
  void sshTunnelsNegotiateWhatTheClientAskedFor() throws IOException {
    assertThat(migration("ssh-tunnel-cbc", 22).handshake().ssh().cipherClientToServer())
        .isEqualTo("aes128-cbc");
    assertThat(migration("ssh-tunnel-cbc", 22).handshake().ssh().macServerToClient())
        .isEqualTo("hmac-sha1");
    assertThat(migration("ssh-tunnel-aes-gcm", 22).handshake().ssh().cipherServerToClient())
        .isEqualTo("aes256-gcm@openssh.com");
  }

  @Test
  void espNullIsSeenAndTtlsShowTheRouter() throws IOException {
    assertThat(migration("esp-null", 0).handshake().esp().nullEncryption()).isTrue();
    assertThat(migration("vmotion-plaintext", 8000).handshake()).isNull();
    HopLimits routed = migration("migration-routed", 8000).ttl();
    assertThat(routed.srcToDst()).isEqualTo(new HopLimits.Range(63, 63));
    assertThat(routed.dstToSrc()).isEqualTo(new HopLimits.Range(64, 64));
    assertThat(migration("migration-on-segment", 8000).ttl().srcToDst())
        .isEqualTo(new HopLimits.Range(64, 64));
  }
}
