package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Verdict;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A long flow keeps being looked at: a migration that turns readable or compressed mid-way is
 * caught, and uniform bytes, with or without clear record headers, are never taken for compressed.
 */
class ResampleWindowTest {
  private static final int MIB = 1 << 20;
  private static final int SEGMENT = 1448;

  private static PayloadSample sample() {
    return new PayloadSample(
        AgentConfig.DEFAULT_SAMPLE_BYTES, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
  }

  private static void feed(PayloadSample s, byte[] stream) {
    for (int off = 0; off < stream.length; off += SEGMENT) {
      s.add(ByteBuffer.wrap(stream), off, Math.min(SEGMENT, stream.length - off));
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void encryptedStreamThatFallsBackToPlaintextIsCaught() throws Exception {
    PayloadSample s = sample();
    feed(
        s,
        concat(
            PayloadClassifierTest.aesGcm(PayloadClassifierTest.memoryLike(20 * MIB, 1)),
            PayloadClassifierTest.memoryLike(20 * MIB, 2)));
    PayloadFeatures f = PayloadClassifier.classify(false, s, sample());
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason())
        .startsWith("payload turned readable after ")
        .contains("earlier: uniform bytes");
    assertThat(s.readableLaterAt())
        .as(
            "at the latest in the first interval wholly after 20 MiB (windows fall anywhere in theirs)")
        .isBetween(
            20L * MIB - ResampleWindow.WINDOW_BYTES, 20L * MIB + 2 * ResampleWindow.INTERVAL_BYTES);
  }

  @Test
  void longEncryptedStreamStaysEncrypted() throws Exception {
    PayloadSample s = sample();
    feed(s, PayloadClassifierTest.aesGcm(PayloadClassifierTest.memoryLike(48 * MIB, 3)));
    PayloadFeatures f = PayloadClassifier.classify(false, s, sample());
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(s.readableLaterAt()).isEqualTo(-1);
  }

  @Test
  void longCompressedStreamIsNotMistakenForAFallback() {
    PayloadSample s = sample();
    byte[] compressed = PayloadClassifierTest.deflate(PayloadClassifierTest.text(96 * MIB, 4));
    feed(s, compressed);
    assertThat((long) compressed.length)
        .as("long enough for a window")
        .isGreaterThan(ResampleWindow.INTERVAL_BYTES + MIB);
    assertThat(s.readableLaterAt()).isEqualTo(-1);
    assertThat(PayloadClassifier.classify(false, s, sample()).verdict())
        .isEqualTo(Verdict.COMPRESSED);
  }

  /**
   * A client hello and uniform bytes for the first sample, then pages in clear, enough to fill the
   * first interval wherever its window falls.
   */
  @Test
  void tlsFlowWhoseLaterBytesAreReadableIsPlaintext() throws Exception {
    byte[] hello = clientHello();
    byte[] encrypted =
        Arrays.copyOf(firstSample(5), AgentConfig.DEFAULT_SAMPLE_BYTES - hello.length);
    PayloadSample s = sample();
    feed(
        s,
        concat(
            concat(hello, encrypted),
            PayloadClassifierTest.memoryLike((int) ResampleWindow.INTERVAL_BYTES + MIB, 6)));
    PayloadFeatures f = PayloadClassifier.classify(false, s, sample());
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason()).contains("earlier: tls framing");
  }

  /**
   * The attack: encrypted bytes for the first sample (256 KiB), then compressed pages without
   * encryption (deflate at level 1, as QEMU multifd's zlib default), under no framing. The pages
   * fill the first interval after the sample, wherever its window falls.
   */
  @Test
  void encryptedStreamThatTurnsCompressedIsCaught() throws Exception {
    byte[] compressed = PageStreams.rawDeflate(PageStreams.memoryLike(40 * MIB, 7), 1);
    assertThat((long) compressed.length)
        .as("past the first interval")
        .isGreaterThan(ResampleWindow.INTERVAL_BYTES + 2 * SEGMENT);
    PayloadSample s = sample();
    feed(s, concat(firstSample(8), compressed));
    PayloadFeatures f = PayloadClassifier.classify(false, s, sample());
    assertThat(f.verdict()).isEqualTo(Verdict.COMPRESSED);
    assertThat(f.reason())
        .startsWith("payload stopped looking encrypted after ")
        .contains("compressed, not encrypted")
        .contains("earlier: uniform bytes");
    assertThat(s.readableLaterAt()).isEqualTo(-1);
  }

  /** The same under TLS record framing: records that chain, whose later bodies are compressed. */
  @Test
  void tlsRecordsWhoseLaterBodiesAreCompressedAreCompressed() throws Exception {
    byte[] compressed = PageStreams.rawDeflate(PageStreams.memoryLike(40 * MIB, 9), 1);
    byte[] stream = concat(tlsRecords(firstSample(10)), tlsRecords(compressed));
    PayloadSample s = sample();
    feed(s, concat(clientHello(), stream));
    PayloadFeatures f = PayloadClassifier.classify(false, s, sample());
    assertThat(f.verdict()).isEqualTo(Verdict.COMPRESSED);
    assertThat(f.reason())
        .startsWith("payload stopped looking encrypted after ")
        .contains("earlier: tls framing: the payload is encrypted");
  }

  /**
   * A thousand windows of uniform bytes, bare and with a clear 5-byte record header every 1,408
   * bytes (TLS records the size of a packet): none is taken for compressed.
   */
  @Test
  void uniformWindowsAreNeverTakenForCompressed() {
    Random r = new Random(11);
    byte[] window = new byte[WINDOW_FEED];
    for (boolean headers : new boolean[] {false, true}) {
      ResampleWindow w = new ResampleWindow(0, headers ? 14 : 15);
      long fed = 0;
      for (int i = 0; i < 1000; i++) {
        r.nextBytes(window);
        for (int at = 0; headers && at + 5 <= window.length; at += 1408) {
          window[at] = 0x17;
          window[at + 1] = 0x03;
          window[at + 2] = 0x03;
          window[at + 3] = 0x05;
          window[at + 4] = 0x7B;
        }
        fed = nextWindow(w, fed, window);
      }
      assertThat(w.notUniformAt()).as("headers %s", headers).isEqualTo(-1);
      assertThat(w.readableAt()).isEqualTo(-1);
    }
  }

  /**
   * Deflate at levels 1 and 6 of memory-like pages: the first window is caught. (Not every
   * compressed stream can be: text of random words from a short list, deflated, is as uniform as
   * zstd -19 or xz output, chi-square 350-570 over 64 KiB; BENCHMARKS.md, "Later windows that stop
   * looking encrypted".)
   */
  @Test
  void compressedWindowsAreNotUniform() {
    for (long seed : new long[] {12, 13}) {
      byte[] pages = PayloadClassifierTest.memoryLike(8 * MIB, seed);
      for (int level : new int[] {1, 6}) {
        byte[] compressed = PageStreams.rawDeflate(pages, level);
        assertThat(compressed.length).isGreaterThan(WINDOW_FEED);
        ResampleWindow w = new ResampleWindow(0, level);
        long start = w.nextWindowAt();
        nextWindow(w, 0, Arrays.copyOf(compressed, WINDOW_FEED));
        assertThat(w.notUniformAt()).as("level %d", level).isEqualTo(start);
        assertThat(w.notUniformStatistics().chiSquare())
            .isGreaterThan(ResampleWindow.NOT_UNIFORM_CHI_SQUARE);
      }
    }
  }

  /**
   * A sender cannot put uniform bytes where the windows look: over 512 seeds the first window falls
   * all over its interval, in every eighth of it; one seed gives the same windows every time (the
   * records of one process do not depend on how flows are split among workers).
   */
  @Test
  void windowsFallAnywhereInTheirIntervalTheSameForOneSeed() {
    int[] eighths = new int[8];
    java.util.Set<Long> starts = new java.util.HashSet<>();
    for (int seed = 0; seed < 512; seed++) {
      long start = new ResampleWindow(0, seed).nextWindowAt();
      assertThat(start).isBetween(0L, ResampleWindow.INTERVAL_BYTES - ResampleWindow.WINDOW_BYTES);
      assertThat(new ResampleWindow(0, seed).nextWindowAt()).isEqualTo(start);
      starts.add(start);
      eighths[(int) (start * 8 / ResampleWindow.INTERVAL_BYTES)]++;
    }
    assertThat(starts).hasSizeGreaterThan(500);
    assertThat(eighths).doesNotContain(0);
    ResampleWindow w = new ResampleWindow(1L << 30, 7);
    long first = w.nextWindowAt();
    nextWindow(w, 1L << 30, new byte[WINDOW_FEED]);
    assertThat(w.nextWindowAt() - ResampleWindow.INTERVAL_BYTES)
        .as("the next interval's window, elsewhere in its interval")
        .isNotEqualTo(first)
        .isBetween(
            (1L << 30) + 0L,
            (1L << 30) + ResampleWindow.INTERVAL_BYTES - ResampleWindow.WINDOW_BYTES);
  }

  /**
   * AES-GCM records of 1 and 2 KiB behind clear 16-byte headers, for 144 MiB (18 windows): each
   * window fails the uniform test alone (the control, a window not told the flow is framed), and
   * the flow, whose first sample showed the headers, stays encrypted.
   */
  @Test
  void longFlowsOfSmallRecordsBehindClearHeadersStayEncrypted() throws Exception {
    for (int record : new int[] {1024, 2048}) {
      byte[] chunk = CiphertextBehindHeadersTest.sealedRecords(8 * MIB, record);
      ResampleWindow alone = new ResampleWindow(0, record);
      long start = alone.nextWindowAt();
      nextWindow(alone, 0, Arrays.copyOf(chunk, WINDOW_FEED));
      assertThat(alone.notUniformAt())
          .as("%d-byte records, a window alone", record)
          .isEqualTo(start);
      PayloadSample s = sample();
      for (int i = 0; i < 18; i++) {
        feed(s, chunk);
      }
      PayloadFeatures f = PayloadClassifier.classify(false, s, sample());
      assertThat(f.verdict()).as("%d-byte records", record).isEqualTo(Verdict.ENCRYPTED);
      assertThat(f.reason()).startsWith("uniform bytes behind clear record headers");
      assertThat(s.notUniformLaterAt()).isEqualTo(-1);
    }
  }

  /**
   * The attack on that tolerance: a first sample of ciphertext behind headers, then the same
   * headers in front of compressed pages (deflate -9). Such a window is far from what headers alone
   * leave (chi-square about 10,000 over 64 KiB) and turns the flow at once.
   */
  @Test
  void framedFlowThatTurnsCompressedIsCaughtAtItsFirstWindow() throws Exception {
    byte[] compressed = PageStreams.rawDeflate(PageStreams.memoryLike(8 * MIB, 16), 9);
    PayloadSample s = sample();
    feed(s, CiphertextBehindHeadersTest.sealedRecords(512 << 10, 2048));
    byte[] framed = framedAs(compressed, 2048);
    while (s.payloadSeen() < 2 * ResampleWindow.INTERVAL_BYTES) { // a window, wherever it falls
      feed(s, framed);
    }
    PayloadFeatures f = PayloadClassifier.classify(false, s, sample());
    assertThat(f.verdict()).isEqualTo(Verdict.COMPRESSED);
    assertThat(f.reason())
        .startsWith("payload stopped looking encrypted after ")
        .contains("(window chi-square")
        .contains("earlier: uniform bytes behind clear record headers");
  }

  /**
   * A window of a flow framed by headers passes when its header values hold little (1 and 2 KiB
   * records: 1.3-1.6 % and 0.7 %), not when they hold much: 512-byte records' headers take 3 %.
   */
  @Test
  void framedWindowsPassOnlyWithLittleInTheirHeaderValues() throws Exception {
    for (int record : new int[] {512, 1024, 2048}) {
      byte[] window =
          Arrays.copyOf(CiphertextBehindHeadersTest.sealedRecords(1 << 20, record), WINDOW_FEED);
      ResampleWindow w = new ResampleWindow(0, record, true);
      long start = w.nextWindowAt();
      nextWindow(w, 0, window);
      assertThat(w.notUniformAt())
          .as("%d-byte records", record)
          .isEqualTo(record == 512 ? start : -1);
    }
  }

  /** {@code body} behind the clear 16-byte headers of sealed records of {@code record} bytes. */
  static byte[] framedAs(byte[] body, int record) {
    ByteBuffer out = ByteBuffer.allocate(body.length + (body.length / record + 1) * 16);
    long counter = 1;
    for (int at = 0; at < body.length; at += record, counter++) {
      int n = Math.min(record, body.length - at);
      out.putInt(12 + n).put("VMot".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.putLong(counter).put(body, at, n);
    }
    return Arrays.copyOf(out.array(), out.position());
  }

  /** One window's bytes: the last packet fed ends where the window does. */
  private static final int WINDOW_FEED = ResampleWindow.WINDOW_BYTES;

  /**
   * Skips from payload offset {@code fed} to the next window unread, then fills it from {@code
   * bytes} ({@link #WINDOW_FEED} of them) in 1,448-byte packets; returns the offset after them.
   */
  private static long nextWindow(ResampleWindow w, long fed, byte[] bytes) {
    int skip = (int) (w.nextWindowAt() - fed);
    w.add(ByteBuffer.allocate(0), 0, skip, 1500);
    ByteBuffer frame = ByteBuffer.wrap(bytes);
    for (int off = 0; off < bytes.length; off += SEGMENT) {
      w.add(frame, off, Math.min(SEGMENT, bytes.length - off), 1500);
    }
    return fed + skip + bytes.length;
  }

  /** Exactly the first sample's bytes: AES-GCM ciphertext of memory-like pages. */
  private static byte[] firstSample(long seed) throws Exception {
    return PayloadClassifierTest.aesGcm(
        PayloadClassifierTest.memoryLike(AgentConfig.DEFAULT_SAMPLE_BYTES - 16, seed));
  }

  /** A TLS 1.2 ClientHello record's first bytes, enough for the signature. */
  private static byte[] clientHello() {
    byte[] hello = new byte[200];
    hello[0] = 0x16;
    hello[1] = 0x03;
    hello[2] = 0x01;
    hello[4] = (byte) 195;
    return hello;
  }

  /** {@code body} cut into TLS 1.2 application-data records of 16 KiB. */
  private static byte[] tlsRecords(byte[] body) {
    int size = 16 * 1024;
    ByteBuffer out = ByteBuffer.allocate(body.length + (body.length / size + 1) * 5);
    for (int at = 0; at < body.length; at += size) {
      int n = Math.min(size, body.length - at);
      out.put((byte) 0x17).put((byte) 0x03).put((byte) 0x03).putShort((short) n);
      out.put(body, at, n);
    }
    return Arrays.copyOf(out.array(), out.position());
  }
}
