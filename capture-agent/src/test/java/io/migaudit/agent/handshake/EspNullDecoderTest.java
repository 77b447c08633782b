package io.migaudit.agent.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EspNullDecoderTest {

  /** SPI, sequence, a TCP header and {@code data} bytes, default padding to 4, trailer, ICV. */
  static byte[] espNullTcp(int data, int icv) {
    TlsBytes inner =
        new TlsBytes().u16(40022).u16(8000).zeros(8).u8(0x50).u8(0x18).u16(502).zeros(4);
    inner.bytes(new byte[data]);
    int innerLength = inner.toArray().length;
    int pad = (4 - (innerLength + 2) % 4) % 4;
    TlsBytes b = new TlsBytes().u16(0x1234).u16(0x5678).u16(0).u16(7).bytes(inner.toArray());
    for (int i = 1; i <= pad; i++) {
      b.u8(i);
    }
    return b.u8(pad).u8(6).zeros(icv).toArray();
  }

  @Test
  void aClearTcpHeaderBehindTheEspHeaderIsEspNull() {
    for (int icv : new int[] {12, 16, 32}) {
      EspNullDecoder.Result r = EspNullDecoder.decode(ByteBuffer.wrap(espNullTcp(101, icv)));
      assertThat(r.innerProtocol()).as("icv " + icv).isEqualTo("tcp");
    }
  }

  @Test
  void aClearUdpDatagramWhoseLengthFitsIsEspNull() {
    TlsBytes b = new TlsBytes().u32(0xAB).u32(1).u16(5353).u16(4789).u16(12).u16(0).zeros(4);
    byte[] p = b.u8(1).u8(2).u8(2).u8(17).zeros(12).toArray();
    assertThat(EspNullDecoder.decode(ByteBuffer.wrap(p)).innerProtocol()).isEqualTo("udp");
  }

  @Test
  void randomCiphertextIsNotEspNull() {
    Random random = new Random(5840);
    int clear = 0;
    for (int i = 0; i < 2000; i++) {
      byte[] p = new byte[64 + random.nextInt(1400)];
      random.nextBytes(p);
      clear += EspNullDecoder.decode(ByteBuffer.wrap(p)).clear() ? 1 : 0;
    }
    assertThat(clear).isLessThan(20); // a chance match now and then; the flow's majority decides
  }

  @Test
  void paddingThatIsNotTheDefaultSequenceIsNotEspNull() {
    byte[] p = espNullTcp(100, 12); // 20 + 100 + 2 = 122 -> pad 2
    int padStart = p.length - 12 - 2 - 2;
    p[padStart] = 9;
    assertThat(EspNullDecoder.decode(ByteBuffer.wrap(p)).clear()).isFalse();
  }

  @Test
  void aTooShortPacketIsAnIssue() {
    assertThat(EspNullDecoder.decode(ByteBuffer.wrap(new byte[12])).issue())
        .isEqualTo(HandshakeIssue.ESP_TOO_SHORT);
  }
}
