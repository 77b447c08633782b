package io.migaudit.agent.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.Handshake;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HandshakeInspectorTest {

  private static void feed(
      HandshakeInspector inspector, boolean initiator, byte[] bytes, int segment) {
    for (int at = 0; at < bytes.length; at += segment) {
      int n = Math.min(segment, bytes.length - at);
      ByteBuffer frame = ByteBuffer.wrap(Arrays.copyOfRange(bytes, at, at + n));
      inspector.add(initiator, frame, 0, n, n);
    }
  }

  private static HandshakeInspector stream(byte[] first) {
    return HandshakeInspector.forStream(6, ByteBuffer.wrap(first), 0, first.length);
  }

  @Test
  void tlsHandshakeSplitAcrossSegmentsIsRead() {
    byte[] client =
        TlsBytes.handshakeRecord(
            TlsBytes.clientHello(0x0303, TlsBytes.supportedVersions(0x0304, 0x0303)));
    byte[] server =
        TlsBytes.handshakeRecord(
            TlsBytes.concat(
                TlsBytes.serverHello(0x0302, 0x000A, null),
                TlsBytes.certificate(TlsBytes.resource("self-signed-rsa2048.der")),
                TlsBytes.message(14, new byte[0])));
    HandshakeInspector inspector = stream(client);
    feed(inspector, true, client, 7);
    feed(inspector, false, server, 100);
    Handshake h = inspector.facts();
    assertThat(h.tls().offeredVersions()).containsExactly("TLS 1.3", "TLS 1.2");
    assertThat(h.tls().version()).isEqualTo("TLS 1.1");
    assertThat(h.tls().cipherSuite()).isEqualTo("TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    assertThat(h.tls().certificate().selfSigned()).isTrue();
  }

  @Test
  void sshNegotiationNeedsBothSides() {
    byte[] client = SshKexinitDecoderTest.client("aes256-cbc,aes128-ctr", "hmac-sha2-256");
    byte[] server = SshKexinitDecoderTest.client("aes128-ctr,aes256-cbc", "hmac-sha2-256");
    HandshakeInspector inspector = stream(server);
    feed(inspector, false, server, 50);
    assertThat(inspector.facts().ssh().cipherClientToServer()).isNull();
    feed(inspector, true, client, 1000);
    assertThat(inspector.facts().ssh().cipherClientToServer()).isEqualTo("aes256-cbc");
  }

  @Test
  void otherStreamsAreNotInspected() {
    byte[] qevm = {'Q', 'E', 'V', 'M', 0, 0, 0, 3};
    assertThat(stream(qevm)).isNull();
    assertThat(HandshakeInspector.forStream(17, ByteBuffer.wrap(new byte[] {0x16, 3, 1}), 0, 3))
        .isNull();
    assertThat(HandshakeInspector.forDatagrams(17, 53)).isNull();
  }

  @Test
  void aCutSegmentEndsTheReadingWithWhatWasRead() {
    byte[] client =
        TlsBytes.handshakeRecord(TlsBytes.clientHello(0x0303, TlsBytes.supportedVersions(0x0304)));
    HandshakeInspector inspector = stream(client);
    inspector.add(true, ByteBuffer.wrap(client), 0, 20, client.length); // snap length cut it
    inspector.add(true, ByteBuffer.wrap(client), 20, client.length - 20, client.length - 20);
    assertThat(inspector.facts()).isNull();
  }

  @Test
  void espFlowIsNullWhenMostPacketsShowAClearHeader() {
    HandshakeInspector inspector = HandshakeInspector.forDatagrams(50, 0);
    byte[] clear = EspNullDecoderTest.espNullTcp(200, 12);
    for (int i = 0; i < 5; i++) {
      inspector.add(i % 2 == 0, ByteBuffer.wrap(clear), 0, clear.length, clear.length);
    }
    assertThat(inspector.facts().esp().nullEncryption()).isTrue();
    assertThat(inspector.facts().esp().innerProtocol()).isEqualTo("tcp");
    HandshakeInspector encrypted = HandshakeInspector.forDatagrams(50, 0);
    Random random = new Random(2410);
    for (int i = 0; i < 5; i++) {
      byte[] p = new byte[300];
      random.nextBytes(p);
      encrypted.add(true, ByteBuffer.wrap(p), 0, p.length, p.length);
    }
    assertThat(encrypted.facts().esp().encryption()).isEqualTo("encrypted");
    assertThat(encrypted.facts().esp().packets()).isEqualTo(5);
  }

  @Test
  void ikeOnNatTraversalSkipsTheNonEspMarker() {
    byte[] m =
        TlsBytes.concat(
            new byte[4],
            IkeSaInitDecoderTest.saInit(false, IkeSaInitDecoderTest.transform(true, 1, 11, 0)));
    HandshakeInspector inspector = HandshakeInspector.forDatagrams(17, 4500);
    inspector.add(true, ByteBuffer.wrap(m), 0, m.length, m.length);
    assertThat(inspector.facts().ike().offered()).containsExactly("ENCR_NULL");
    assertThat(inspector.facts().esp()).isNull();
    byte[] banner = "SSH-2.0-x\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(stream(banner)).isNotNull();
  }
}
