package io.migaudit.agent.handshake;

import static io.migaudit.agent.handshake.TlsBytes.buffer;
import static io.migaudit.agent.handshake.TlsBytes.handshakeRecord;
import static io.migaudit.agent.handshake.TlsBytes.message;
import static io.migaudit.agent.handshake.TlsBytes.serverHello;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.TlsHandshake;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Certificates under test/resources/handshake were made with OpenSSL 3.0: {@code openssl req -x509
 * -newkey rsa:2048 -subj /CN=esx-01.lab} (self-signed) and a P-256 leaf for /CN=esx-02.lab signed
 * by a P-256 CA /CN=lab-ca.
 */
class TlsServerFlightDecoderTest {
  private static final byte[] DONE = message(14, new byte[0]);

  @Test
  void tls12FlightGivesSuiteCertificateAndTheClientCertificateRequest() {
    byte[] flight =
        TlsBytes.concat(
            serverHello(0x0303, 0x009C, null),
            TlsBytes.certificate(TlsBytes.resource("self-signed-rsa2048.der")),
            message(13, new byte[4]),
            DONE);
    TlsServerFlightDecoder.Result r =
        TlsServerFlightDecoder.decode(buffer(handshakeRecord(flight)));
    assertThat(r.complete()).isTrue();
    assertThat(r.issue()).isNull();
    assertThat(r.version()).isEqualTo("TLS 1.2");
    assertThat(r.cipherSuite()).isEqualTo("TLS_RSA_WITH_AES_128_GCM_SHA256");
    assertThat(r.clientCertificate()).isEqualTo(TlsHandshake.CLIENT_CERT_REQUESTED);
    assertThat(r.certificate().keyAlgorithm()).isEqualTo("RSA");
    assertThat(r.certificate().keyBits()).isEqualTo(2048);
    assertThat(r.certificate().signatureAlgorithm()).isEqualTo("SHA256withRSA");
    assertThat(r.certificate().selfSigned()).isTrue();
    assertThat(r.certificate().notAfter()).isAfter(r.certificate().notBefore());
    assertThat(r.certificate().notBefore()).isAfter(Instant.parse("2020-01-01T00:00:00Z"));
  }

  @Test
  void aCaSignedLeafIsNotSelfSignedAndNoRequestMeansNotRequested() {
    byte[] flight =
        TlsBytes.concat(
            serverHello(0x0301, 0x0002, null),
            TlsBytes.certificate(TlsBytes.resource("ca-signed-p256.der")),
            DONE);
    TlsServerFlightDecoder.Result r =
        TlsServerFlightDecoder.decode(buffer(handshakeRecord(flight)));
    assertThat(r.version()).isEqualTo("TLS 1.0");
    assertThat(r.cipherSuite()).isEqualTo("TLS_RSA_WITH_NULL_SHA");
    assertThat(r.clientCertificate()).isEqualTo(TlsHandshake.CLIENT_CERT_NOT_REQUESTED);
    assertThat(r.certificate().keyAlgorithm()).isEqualTo("EC");
    assertThat(r.certificate().keyBits()).isEqualTo(256);
    assertThat(r.certificate().selfSigned()).isFalse();
  }

  @Test
  void tls13TakesSupportedVersionsAndCannotSeeTheRest() {
    byte[] ext = TlsBytes.extension(43, new TlsBytes().u16(0x0304).toArray());
    byte[] stream =
        TlsBytes.concat(
            handshakeRecord(serverHello(0x0303, 0x1302, ext)),
            TlsBytes.record(20, 0x0303, new byte[] {1}),
            TlsBytes.record(23, 0x0303, new byte[40]));
    TlsServerFlightDecoder.Result r = TlsServerFlightDecoder.decode(buffer(stream));
    assertThat(r.version()).isEqualTo("TLS 1.3");
    assertThat(r.cipherSuite()).isEqualTo("TLS_AES_256_GCM_SHA384");
    assertThat(r.clientCertificate()).isEqualTo(TlsHandshake.CLIENT_CERT_NOT_VISIBLE);
    assertThat(r.certificate()).isNull();
    assertThat(r.complete()).isTrue();
  }

  @Test
  void aFlightCutBeforeServerHelloDoneIsIncomplete() {
    byte[] stream = handshakeRecord(serverHello(0x0303, 0xC030, null));
    TlsServerFlightDecoder.Result r =
        TlsServerFlightDecoder.decode(buffer(stream, new byte[] {22, 3, 3}));
    assertThat(r.complete()).isFalse();
    assertThat(r.issue()).isEqualTo(HandshakeIssue.NEED_MORE);
    assertThat(r.cipherSuite()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    assertThat(r.clientCertificate()).isNull();
  }

  @Test
  void aChangeCipherSpecEndsTheVisibleFlight() {
    byte[] stream =
        TlsBytes.concat(
            handshakeRecord(serverHello(0x0303, 0xC02F, null)),
            TlsBytes.record(20, 0x0303, new byte[] {1}));
    TlsServerFlightDecoder.Result r = TlsServerFlightDecoder.decode(buffer(stream));
    assertThat(r.complete()).isTrue();
    assertThat(r.clientCertificate())
        .isEqualTo(TlsHandshake.CLIENT_CERT_NOT_REQUESTED); // resumption
  }

  @Test
  void garbageInTheCertificateIsABadCertificate() {
    byte[] flight =
        TlsBytes.concat(
            serverHello(0x0303, 0xC02F, null), TlsBytes.certificate(new byte[] {0x30, 3, 1, 2, 3}));
    TlsServerFlightDecoder.Result r =
        TlsServerFlightDecoder.decode(buffer(handshakeRecord(flight)));
    assertThat(r.issue()).isEqualTo(HandshakeIssue.TLS_BAD_CERTIFICATE);
    assertThat(r.certificate()).isNull();
    assertThat(r.version()).isEqualTo("TLS 1.2");
  }

  @Test
  void aCertificateListLongerThanItsMessageIsABadLength() {
    byte[] cert = message(11, new TlsBytes().u24(5000).zeros(3).toArray());
    byte[] flight = TlsBytes.concat(serverHello(0x0303, 0xC02F, null), cert);
    assertThat(TlsServerFlightDecoder.decode(buffer(handshakeRecord(flight))).issue())
        .isEqualTo(HandshakeIssue.TLS_BAD_LENGTH);
  }

  @Test
  void aCertificateBeforeServerHelloIsUnexpected() {
    byte[] flight = TlsBytes.certificate(TlsBytes.resource("ca-signed-p256.der"));
    TlsServerFlightDecoder.Result r =
        TlsServerFlightDecoder.decode(buffer(handshakeRecord(flight)));
    assertThat(r.issue()).isEqualTo(HandshakeIssue.TLS_UNEXPECTED_MESSAGE);
    assertThat(r.version()).isNull();
  }

  @Test
  void aStreamThatIsNotTlsSaysSo() {
    TlsServerFlightDecoder.Result r =
        TlsServerFlightDecoder.decode(ByteBuffer.wrap("HTTP/1.1 200 OK\r\n".getBytes()));
    assertThat(r.issue()).isEqualTo(HandshakeIssue.NOT_THIS_PROTOCOL);
    assertThat(r.complete()).isTrue();
  }
}
