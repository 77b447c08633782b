package io.migaudit.agent.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {
  /** A real IPv4 header (UDP, 192.168.0.1 to 192.168.0.199) with its checksum 0xb861. */
  private static final byte[] HEADER =
      HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");

  @Test
  void writesTheChecksumAndARightHeaderSumsToAllOnes() {
    byte[] header = HEADER.clone();
    InternetChecksum.writeIpv4(header);
    assertThat(ByteBuffer.wrap(header).getShort(10)).isEqualTo((short) 0xb861);
    assertThat(InternetChecksum.sum(ByteBuffer.wrap(header), 0, header.length)).isEqualTo(0xFFFF);
    assertThat(Ipv4Decoder.checksumHolds(ByteBuffer.wrap(header), 0, header.length)).isTrue();
    header[8] = 63; // a router lowered the TTL and did not mend the checksum
    assertThat(Ipv4Decoder.checksumHolds(ByteBuffer.wrap(header), 0, header.length)).isFalse();
    assertThat(Ipv4Decoder.checksumHolds(ByteBuffer.wrap(header), 0, header.length - 1))
        .as("a header the capture cut")
        .isFalse();
  }

  /** RFC 1071 4.1: an odd last byte counts as the high half of a word. */
  @Test
  void anOddLastByteIsTheHighHalfOfAWord() {
    ByteBuffer b = ByteBuffer.wrap(HexFormat.of().parseHex("1234ff56"));
    assertThat(InternetChecksum.sum(b, 0, 1)).isEqualTo(0x1200);
    assertThat(InternetChecksum.sum(b, 0, 3)).isEqualTo(0x1234 + 0xff00 - 0xFFFF);
    assertThat(InternetChecksum.fold(0x2_FFFE)).isEqualTo(0x0001);
  }
}
