package io.migaudit.agent.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IkeSaInitDecoderTest {

  static byte[] transform(boolean last, int type, int id, int keyBits) {
    TlsBytes t =
        new TlsBytes().u8(last ? 0 : 3).u8(0).u16(keyBits > 0 ? 12 : 8).u8(type).u8(0).u16(id);
    if (keyBits > 0) {
      t.u16(0x800E).u16(keyBits);
    }
    return t.toArray();
  }

  static byte[] saInit(boolean response, byte[]... transforms) {
    byte[] ts = TlsBytes.concat(transforms);
    byte[] proposal =
        new TlsBytes()
            .u8(0)
            .u8(0)
            .u16(8 + ts.length)
            .u8(1)
            .u8(1)
            .u8(0)
            .u8(transforms.length)
            .bytes(ts)
            .toArray();
    byte[] sa = new TlsBytes().u8(0).u8(0).u16(4 + proposal.length).bytes(proposal).toArray();
    return new TlsBytes()
        .zeros(16)
        .u8(33)
        .u8(0x20)
        .u8(34)
        .u8(response ? 0x20 : 0x08)
        .zeros(4)
        .u16(0)
        .u16(28 + sa.length)
        .bytes(sa)
        .toArray();
  }

  @Test
  void readsTheProposedTransforms() {
    byte[] m =
        saInit(
            false,
            transform(false, 1, 12, 256),
            transform(false, 1, 11, 0),
            transform(false, 2, 5, 0),
            transform(false, 3, 2, 0),
            transform(true, 4, 14, 0));
    IkeSaInitDecoder.Result r = IkeSaInitDecoder.decode(ByteBuffer.wrap(m));
    assertThat(r.issue()).isNull();
    assertThat(r.response()).isFalse();
    assertThat(r.transforms())
        .containsExactly(
            "ENCR_AES_CBC-256", "ENCR_NULL", "PRF_HMAC_SHA2_256", "AUTH_HMAC_SHA1_96", "DH_14");
  }

  @Test
  void aResponseIsMarkedSo() {
    IkeSaInitDecoder.Result r =
        IkeSaInitDecoder.decode(ByteBuffer.wrap(saInit(true, transform(true, 1, 20, 128))));
    assertThat(r.response()).isTrue();
    assertThat(r.transforms()).containsExactly("ENCR_AES_GCM_16-128");
  }

  @Test
  void ikeV1IsNotRead() {
    byte[] m = saInit(false, transform(true, 1, 12, 128));
    m[17] = 0x10;
    assertThat(IkeSaInitDecoder.decode(ByteBuffer.wrap(m)).issue())
        .isEqualTo(HandshakeIssue.IKE_NOT_V2);
  }

  @Test
  void anotherExchangeIsNotSaInit() {
    byte[] m = saInit(false, transform(true, 1, 12, 128));
    m[18] = 35; // IKE_AUTH
    assertThat(IkeSaInitDecoder.decode(ByteBuffer.wrap(m)).issue())
        .isEqualTo(HandshakeIssue.IKE_NOT_SA_INIT);
  }

  @Test
  void aLengthBeyondTheDatagramIsBad() {
    byte[] m = saInit(false, transform(true, 1, 12, 128));
    m[27] = (byte) 0xFF;
    assertThat(IkeSaInitDecoder.decode(ByteBuffer.wrap(m)).issue())
        .isEqualTo(HandshakeIssue.IKE_BAD_LENGTH);
    assertThat(IkeSaInitDecoder.decode(ByteBuffer.wrap(new byte[10])).issue())
        .isEqualTo(HandshakeIssue.IKE_BAD_LENGTH);
  }

  @Test
  void aTransformLongerThanItsProposalIsBad() {
    byte[] m = saInit(false, transform(true, 1, 12, 128));
    m[28 + 4 + 8 + 3] = 100; // the transform's length
    assertThat(IkeSaInitDecoder.decode(ByteBuffer.wrap(m)).issue())
        .isEqualTo(HandshakeIssue.IKE_BAD_LENGTH);
  }
}
