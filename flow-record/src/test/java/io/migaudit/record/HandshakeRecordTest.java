package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The TTL and handshake fields: golden file, round trip, absence, and the hop arithmetic. */
class HandshakeRecordTest {

  static FlowRecord tlsSample() {
    TlsHandshake tls =
        new TlsHandshake(
            List.of("TLS 1.0", "TLS 1.1"),
            "TLS 1.0",
            "TLS_RSA_WITH_NULL_SHA",
            TlsHandshake.CLIENT_CERT_NOT_REQUESTED,
            new TlsCertificate(
                "SHA256withRSA",
                "RSA",
                2048,
                Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2027-01-01T00:00:00Z"),
                true));
    return RecordJsonTest.sample()
        .withPath(
            new HopLimits(new HopLimits.Range(63, 63), new HopLimits.Range(63, 64)),
            new Handshake(tls, null, null, null));
  }

  static FlowRecord sshSample() {
    SshKexinit client =
        new SshKexinit(
            List.of("curve25519-sha256"),
            List.of("ssh-ed25519"),
            List.of("aes128-cbc", "aes256-gcm@openssh.com"),
            List.of("aes128-cbc"),
            List.of("hmac-sha1"),
            List.of("hmac-sha1"));
    SshKexinit server =
        new SshKexinit(
            List.of("curve25519-sha256"),
            List.of("ssh-ed25519"),
            List.of("aes256-gcm@openssh.com", "aes128-cbc"),
            List.of("aes128-cbc"),
            List.of("hmac-sha1"),
            List.of("hmac-sha1"));
    return RecordJsonTest.sample()
        .withPath(
            null,
            new Handshake(
                null,
                new SshHandshake(
                    client, server, "aes128-cbc", "aes128-cbc", "hmac-sha1", "hmac-sha1"),
                null,
                new IkeProposals(List.of("ENCR_NULL"), List.of())));
  }

  @Test
  void tlsRecordMatchesGoldenFileAndRoundTrips() throws Exception {
    ObjectMapper plain = new ObjectMapper();
    JsonNode golden;
    try (InputStream in = getClass().getResourceAsStream("/flow-record-handshake-v1.json")) {
      golden = plain.readTree(in);
    }
    assertThat(plain.readTree(RecordJson.toBytes(tlsSample()))).isEqualTo(golden);
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(tlsSample()))).isEqualTo(tlsSample());
  }

  @Test
  void sshAndIkeFactsRoundTrip() throws Exception {
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(sshSample()))).isEqualTo(sshSample());
  }

  @Test
  void ttlAloneIsReadByTheFastReader() throws Exception {
    FlowRecord r =
        RecordJsonTest.sample().withPath(new HopLimits(new HopLimits.Range(64, 64), null), null);
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(r))).isEqualTo(r);
  }

  @Test
  void aRecordWithoutThemOmitsBothFields() throws Exception {
    String line = RecordJson.toLine(RecordJsonTest.sample());
    assertThat(line).doesNotContain("\"ttl\"").doesNotContain("handshake");
    FlowRecord back = RecordJson.flowRecord(RecordJson.toBytes(RecordJsonTest.sample()));
    assertThat(back.ttl()).isNull();
    assertThat(back.handshake()).isNull();
  }

  @Test
  void hopsCountFromTheNearestInitialValueAbove() {
    assertThat(HopLimits.hops(64)).isZero();
    assertThat(HopLimits.hops(63)).isEqualTo(1);
    assertThat(HopLimits.hops(128)).isZero();
    assertThat(HopLimits.hops(120)).isEqualTo(8);
    assertThat(HopLimits.hops(65)).isEqualTo(63); // a Windows host 63 routers away, or 128 - 65
    assertThat(HopLimits.hops(255)).isZero();
    assertThat(HopLimits.hops(1)).isEqualTo(63);
  }
}
