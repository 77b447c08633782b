package io.migaudit.agent.handshake;

import static io.migaudit.agent.handshake.TlsBytes.buffer;
import static io.migaudit.agent.handshake.TlsBytes.clientHello;
import static io.migaudit.agent.handshake.TlsBytes.handshakeRecord;
import static io.migaudit.agent.handshake.TlsBytes.supportedVersions;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TlsClientHelloDecoderTest {

  @Test
  void supportedVersionsListsTheOfferWithoutGrease() {
    byte[] hello = clientHello(0x0303, supportedVersions(0x3A3A, 0x0304, 0x0303));
    TlsClientHelloDecoder.Result r = TlsClientHelloDecoder.decode(buffer(handshakeRecord(hello)));
    assertThat(r.issue()).isNull();
    assertThat(r.offeredVersions()).containsExactly("TLS 1.3", "TLS 1.2");
  }

  @Test
  void withoutTheExtensionTheLegacyVersionIsTheOffer() {
    TlsClientHelloDecoder.Result r =
        TlsClientHelloDecoder.decode(buffer(handshakeRecord(clientHello(0x0301, null))));
    assertThat(r.offeredVersions()).containsExactly("TLS 1.0");
  }

  @Test
  void aHelloSpanningTwoRecordsIsJoined() {
    byte[] hello = clientHello(0x0302, TlsBytes.extension(0xFF01, new byte[] {0}));
    byte[] first = Arrays.copyOfRange(hello, 0, 20);
    byte[] second = Arrays.copyOfRange(hello, 20, hello.length);
    TlsClientHelloDecoder.Result r =
        TlsClientHelloDecoder.decode(buffer(handshakeRecord(first), handshakeRecord(second)));
    assertThat(r.offeredVersions()).containsExactly("TLS 1.1");
  }

  @Test
  void aCutHelloNeedsMore() {
    byte[] stream = handshakeRecord(clientHello(0x0303, supportedVersions(0x0304)));
    TlsClientHelloDecoder.Result r =
        TlsClientHelloDecoder.decode(ByteBuffer.wrap(stream, 0, 30).slice());
    assertThat(r.issue()).isEqualTo(HandshakeIssue.NEED_MORE);
    assertThat(r.offeredVersions()).isEmpty();
  }

  @Test
  void applicationDataFirstIsNotTls() {
    byte[] stream = TlsBytes.record(23, 0x0303, new byte[16]);
    assertThat(TlsClientHelloDecoder.decode(buffer(stream)).issue())
        .isEqualTo(HandshakeIssue.NOT_THIS_PROTOCOL);
  }

  @Test
  void anImpossibleRecordVersionIsNotTls() {
    byte[] stream = TlsBytes.record(22, 0x0909, clientHello(0x0303, null));
    assertThat(TlsClientHelloDecoder.decode(buffer(stream)).issue())
        .isEqualTo(HandshakeIssue.NOT_THIS_PROTOCOL);
  }

  @Test
  void anOverlongRecordIsRefused() {
    byte[] stream = new TlsBytes().u8(22).u16(0x0303).u16(0xFFFF).zeros(8).toArray();
    assertThat(TlsClientHelloDecoder.decode(buffer(stream)).issue())
        .isEqualTo(HandshakeIssue.TLS_RECORD_TOO_LONG);
  }

  @Test
  void anExtensionLongerThanItsBlockIsABadLength() {
    byte[] bad = new TlsBytes().u16(43).u16(200).u8(2).u16(0x0304).toArray();
    TlsClientHelloDecoder.Result r =
        TlsClientHelloDecoder.decode(buffer(handshakeRecord(clientHello(0x0303, bad))));
    assertThat(r.issue()).isEqualTo(HandshakeIssue.TLS_BAD_LENGTH);
  }

  @Test
  void aServerHelloFirstIsUnexpected() {
    byte[] stream = handshakeRecord(TlsBytes.serverHello(0x0303, 0xC02F, null));
    assertThat(TlsClientHelloDecoder.decode(buffer(stream)).issue())
        .isEqualTo(HandshakeIssue.TLS_UNEXPECTED_MESSAGE);
  }

  @Test
  void aSessionIdLongerThanTheHelloIsABadLength() {
    byte[] body = new TlsBytes().u16(0x0303).zeros(32).u8(200).zeros(4).toArray();
    byte[] stream = handshakeRecord(TlsBytes.message(1, body));
    assertThat(TlsClientHelloDecoder.decode(buffer(stream)).issue())
        .isEqualTo(HandshakeIssue.TLS_BAD_LENGTH);
  }
}
