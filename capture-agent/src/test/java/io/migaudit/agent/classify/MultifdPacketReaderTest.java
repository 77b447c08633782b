package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** QEMU multifd channels laid out as QEMU 7.2 sends them (migration/multifd.h). */
class MultifdPacketReaderTest {
  private static final int PAGES_ALLOC = 128;
  private static final int PAGE = 4096;
  private static final int FLAG_SYNC = 1;
  private static final int FLAG_ZLIB = 1 << 1;
  private static final int FLAG_ZSTD = 2 << 1;

  /**
   * A channel: MultiFDInit_t, then one packet per {flags, normalPages, dataBytes} with its data.
   */
  static final class Channel {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Channel() {
      ByteBuffer init = ByteBuffer.allocate(MultifdPacketReader.INIT_BYTES);
      init.putInt(MultifdPacketReader.MAGIC).putInt(MultifdPacketReader.VERSION);
      out.writeBytes(init.array());
    }

    Channel packet(int magic, int flags, int normalPages, byte[] data) {
      ByteBuffer h = ByteBuffer.allocate(MultifdPacketReader.PACKET_FIXED_BYTES + 8 * PAGES_ALLOC);
      h.putInt(magic)
          .putInt(MultifdPacketReader.VERSION)
          .putInt(flags)
          .putInt(PAGES_ALLOC)
          .putInt(normalPages)
          .putInt(data.length)
          .putLong(1);
      h.position(64).put("pc.ram".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < normalPages; i++) {
        h.putLong(MultifdPacketReader.PACKET_FIXED_BYTES + 8 * i, 0x100000L + (long) i * PAGE);
      }
      out.writeBytes(h.array());
      out.writeBytes(data);
      return this;
    }

    Channel packet(int flags, int normalPages, byte[] data) {
      return packet(MultifdPacketReader.MAGIC, flags, normalPages, data);
    }

    Channel sync() {
      return packet(FLAG_SYNC, 0, new byte[0]);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  static byte[] zlib(byte[] in) {
    Deflater d = new Deflater(1);
    d.setInput(in);
    d.finish();
    byte[] buf = new byte[in.length + 1024];
    return Arrays.copyOf(buf, d.deflate(buf));
  }

  static PayloadSample sampleOf(byte[] stream, int segment) {
    PayloadSample s =
        new PayloadSample(
            AgentConfig.DEFAULT_SAMPLE_BYTES, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    for (int off = 0; off < stream.length; off += segment) {
      s.add(ByteBuffer.wrap(stream), off, Math.min(segment, stream.length - off));
    }
    return s;
  }

  static PayloadFeatures classify(PayloadSample initiator) {
    return PayloadClassifier.classify(false, initiator, new PayloadSample(1024, 512));
  }

  private static byte[] pages(int n) {
    return PayloadClassifierTest.memoryLike(n * PAGE, 7);
  }

  @Test
  void zlibFlagAfterASyncPacketMakesTheChannelCompressed() {
    byte[] stream =
        new Channel().sync().packet(FLAG_SYNC | FLAG_ZLIB, 128, zlib(pages(128))).bytes();
    PayloadSample s = sampleOf(stream, 1448);
    assertThat(s.multifdCompression()).isEqualTo(MultifdCompression.ZLIB);
    PayloadFeatures f = classify(s);
    assertThat(f.signature()).isEqualTo(Signature.QEMU_MULTIFD);
    assertThat(f.verdict()).isEqualTo(Verdict.COMPRESSED);
    assertThat(f.reason()).contains("packets say zlib compression");
  }

  @Test
  void theFlagDecidesBeforeTheStatisticsCould() {
    // Only the headers and the first bytes of the compressed pages: mostly zeros, low entropy.
    byte[] stream = new Channel().sync().packet(FLAG_ZSTD, 128, zlib(pages(128))).bytes();
    byte[] start = Arrays.copyOf(stream, MultifdPacketReader.INIT_BYTES + 2 * 1344 + 200);
    PayloadFeatures f = classify(sampleOf(start, 1448));
    assertThat(f.entropy()).isLessThan(3.0);
    assertThat(f.verdict()).isEqualTo(Verdict.COMPRESSED);
    assertThat(f.reason()).contains("packets say zstd compression");
  }

  @Test
  void headersSplitAcrossTinySegmentsAreStillRead() {
    byte[] stream = new Channel().sync().sync().packet(FLAG_ZSTD, 1, new byte[300]).bytes();
    assertThat(sampleOf(stream, 7).multifdCompression()).isEqualTo(MultifdCompression.ZSTD);
    assertThat(sampleOf(stream, 1).multifdCompression()).isEqualTo(MultifdCompression.ZSTD);
  }

  @Test
  void uncompressedPagesArePlaintext() {
    byte[] stream = new Channel().sync().packet(FLAG_SYNC, 16, pages(16)).bytes();
    PayloadSample s = sampleOf(stream, 1448);
    assertThat(s.multifdCompression()).isEqualTo(MultifdCompression.NONE);
    PayloadFeatures f = classify(s);
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason()).contains("packets say pages uncompressed");
  }

  @Test
  void anUnknownCompressionBitIsStillCompression() {
    byte[] stream = new Channel().packet(8 << 1, 4, new byte[100]).bytes();
    assertThat(sampleOf(stream, 1448).multifdCompression()).isEqualTo(MultifdCompression.UADK);
    stream = new Channel().packet(3 << 1, 4, new byte[100]).bytes();
    assertThat(sampleOf(stream, 1448).multifdCompression()).isEqualTo(MultifdCompression.OTHER);
    assertThat(classify(sampleOf(stream, 1448)).verdict()).isEqualTo(Verdict.COMPRESSED);
  }

  @Test
  void aLostPlaceLeavesTheVerdictToStatistics() {
    // A header where the magic should be is missing (a segment lost before the capture).
    byte[] stream =
        new Channel().sync().packet(0x0BADF00D, FLAG_ZLIB, 128, zlib(pages(128))).bytes();
    PayloadSample s = sampleOf(stream, 1448);
    assertThat(s.multifdCompression()).isEqualTo(MultifdCompression.UNDECIDED);
    assertThat(classify(s).reason()).contains("no page packet read yet");
  }

  @Test
  void onlySyncPacketsGiveUpAfterABoundedNumber() {
    Channel c = new Channel();
    for (int i = 0; i < MultifdPacketReader.MAX_PACKETS; i++) {
      c.sync();
    }
    c.packet(FLAG_ZLIB, 1, new byte[10]);
    assertThat(sampleOf(c.bytes(), 1448).multifdCompression())
        .isEqualTo(MultifdCompression.UNDECIDED);
  }

  @Test
  void otherStreamsGetNoReader() {
    byte[] notMultifd = {0x11, 0x22, 0x33, 0x45, 0, 0, 0, 1, 0, 0, 0, 0};
    assertThat(sampleOf(notMultifd, 1448).multifdCompression())
        .isEqualTo(MultifdCompression.UNDECIDED);
    assertThat(sampleOf(new byte[] {'Q', 'E', 'V', 'M', 0, 0, 0, 3}, 8).multifdCompression())
        .isEqualTo(MultifdCompression.UNDECIDED);
  }

  @Test
  void aTlsHeaderInFrontOfACompressedChannelDoesNotMakeItEncrypted() {
    // a record header whose length does not reach the next header: the chain breaks, content
    // decides
    byte[] stream = new Channel().sync().packet(FLAG_ZLIB, 128, zlib(pages(128))).bytes();
    byte[] tls = new byte[stream.length + 5];
    System.arraycopy(new byte[] {0x16, 0x03, 0x01, 0x01, 0x70}, 0, tls, 0, 5);
    System.arraycopy(stream, 0, tls, 5, stream.length);
    PayloadFeatures f = classify(sampleOf(tls, 1448));
    assertThat(f.signature()).isEqualTo(Signature.TLS);
    assertThat(f.verdict()).isEqualTo(Verdict.COMPRESSED);
    assertThat(f.reason())
        .startsWith(
            "tls framing claims encryption but the tls record chain broke at stream byte 373");
  }
}
