package io.migaudit.agent.classify;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Keeps looking at a long flow after its first sample is full: in every {@link #INTERVAL_BYTES} of
 * payload it takes a window of {@link #WINDOW_BYTES} and measures its byte histogram. A window
 * below {@link #READABLE_ENTROPY} bits per byte is readable whatever came before (encrypted and
 * compressed data never fall that low over 64 KiB), so a migration that turns plaintext mid-way,
 * such as an opportunistic one falling back, is caught. A window whose histogram is far from
 * uniform ({@link #NOT_UNIFORM_CHI_SQUARE}) is not encrypted either: a stream that encrypts its
 * first bytes and then sends compressed ones, under the same framing or none, is caught too.
 *
 * <p>A flow whose first sample was ciphertext behind clear record headers ({@link
 * CiphertextBehindHeaders}) fails the uniform test in its windows too when its records are small (2
 * KiB records behind 16-byte headers: about 650 per window), so there a window that fails it alone
 * is not enough: it must fail the headers test as well, made at ten standard deviations ({@link
 * CiphertextBehindHeaders#REPEATED_REST_LIMIT}) since it is made on every window, with its header
 * values' share bounded by {@link #FRAMED_WINDOW_MAX_HEADER_SHARE}. Compressed pages behind the
 * same headers still fail it at once (deflate at level 1 to 9 of memory-like pages: the rest's
 * chi-square is in the thousands); what no window test can tell from ciphertext (zstd -19, xz) is
 * no more caught behind headers than without them (BENCHMARKS.md, "Long flows behind clear record
 * headers").
 *
 * <p>Where in its interval a window falls is drawn from the direction's seed and a secret of the
 * process: a sender who knows this code cannot put uniform bytes exactly where the windows look and
 * plaintext everywhere else. In one process the same seed gives the same windows, so records do not
 * depend on how flows are split among workers. Costs one histogram and reads under 1% of the bytes.
 */
final class ResampleWindow {
  static final long INTERVAL_BYTES = 8L << 20;
  static final int WINDOW_BYTES = 64 << 10;
  static final double READABLE_ENTROPY = 6.0;

  /**
   * Chi-square against uniform above which a window is not encrypted: mean 255 plus ten standard
   * deviations, about 481. Uniform bytes exceed it about once in 10^15 windows (Wilson-Hilferty),
   * so a flow of many terabytes still has no false alarm. Clear record headers add little: TLS or
   * SSH records the size of a packet about 60, SMB3 transform headers on 4 KiB messages about 110
   * (a migration's writes are far larger). zstd and deflate at level 1, as QEMU multifd uses them,
   * and lz4 land above it in 96-100 % of 64 KiB windows of memory-like data; zstd -19 and xz can
   * look uniform to any byte histogram (BENCHMARKS.md, "Later windows that stop looking
   * encrypted").
   */
  static final double NOT_UNIFORM_CHI_SQUARE = 255 + 10 * Math.sqrt(2 * 255.0);

  /**
   * Largest share of a window its header values may hold above their expected count, in a flow
   * whose first sample showed headers: headers of 1 KiB records hold 1.3-1.6 % of a 64 KiB window
   * (their first sample's bound is 1.5 %, over four times the bytes).
   */
  static final double FRAMED_WINDOW_MAX_HEADER_SHARE = 0.025;

  /** The process's secret, mixed into every seed: windows cannot be foreseen from outside. */
  private static final long SECRET = new SecureRandom().nextLong();

  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private final int[] histogram = new int[256];
  private final long startAt;
  private final long seed;
  private long interval;
  private long payloadSeen;
  private long nextWindowAt;
  private int windowFill;
  private long readableAt = -1;
  private double readableEntropy;
  private ByteStatistics readable;
  private long notUniformAt = -1;
  private ByteStatistics notUniform;

  /** The first sample was ciphertext behind clear record headers: windows are judged so too. */
  private final boolean framedByHeaders;

  /**
   * @param startAt payload offset of the direction at which the first interval starts
   * @param seed picks where in each interval its window falls
   */
  ResampleWindow(long startAt, int seed) {
    this(startAt, seed, false);
  }

  /**
   * @param framedByHeaders the direction's first sample was ciphertext behind clear record headers
   */
  ResampleWindow(long startAt, int seed, boolean framedByHeaders) {
    this.framedByHeaders = framedByHeaders;
    this.startAt = startAt;
    this.seed = SECRET ^ (seed * GOLDEN_GAMMA);
    this.payloadSeen = startAt;
    this.nextWindowAt = windowStart(0);
  }

  /** Where the window of interval {@code k} starts: anywhere it fits whole in the interval. */
  private long windowStart(long k) {
    long z = seed + k * GOLDEN_GAMMA; // SplitMix64: the k-th value of the seed's sequence
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return startAt + k * INTERVAL_BYTES + Math.floorMod(z, INTERVAL_BYTES - WINDOW_BYTES + 1);
  }

  /**
   * True when {@code window} is readable (below {@link #READABLE_ENTROPY}) or not uniform (above
   * {@link #NOT_UNIFORM_CHI_SQUARE}): not what encrypted bytes look like.
   */
  static boolean notEncrypted(ByteStatistics window) {
    return window.entropy() < READABLE_ENTROPY || window.chiSquare() > NOT_UNIFORM_CHI_SQUARE;
  }

  /** Payload offset at which the next window starts (tests). */
  long nextWindowAt() {
    return nextWindowAt;
  }

  void add(ByteBuffer frame, int offset, int length, int maxPerPacket) {
    long before = payloadSeen;
    payloadSeen += length;
    if (readableAt >= 0 || payloadSeen <= nextWindowAt) {
      return;
    }
    int skip = (int) Math.max(0, nextWindowAt - before);
    int take = Math.min(Math.min(length - skip, maxPerPacket), WINDOW_BYTES - windowFill);
    for (int i = 0; i < take; i++) {
      histogram[Byte.toUnsignedInt(frame.get(offset + skip + i))]++;
    }
    windowFill += take;
    if (windowFill == WINDOW_BYTES) {
      closeWindow();
    }
  }

  private void closeWindow() {
    ByteStatistics window = ByteStatistics.ofCounts(windowFill, histogram);
    long at = payloadSeen - windowFill;
    if (window.entropy() < READABLE_ENTROPY) {
      readableAt = at;
      readableEntropy = window.entropy();
      readable = window;
    } else if (window.chiSquare() > NOT_UNIFORM_CHI_SQUARE && notUniformAt < 0) {
      if (!framedByHeaders || !framedWindowPasses(windowFill, histogram)) {
        notUniformAt = at;
        notUniform = window;
      }
    }
    Arrays.fill(histogram, 0);
    windowFill = 0;
    do { // a window spread over large frames may have run past the next one's start
      nextWindowAt = windowStart(++interval);
    } while (nextWindowAt < payloadSeen);
  }

  /**
   * The headers test of a window of a flow whose first sample showed clear record headers: made on
   * every window, so at {@link CiphertextBehindHeaders#REPEATED_REST_LIMIT}, with the header
   * values' share bounded by {@link #FRAMED_WINDOW_MAX_HEADER_SHARE}.
   */
  static boolean framedWindowPasses(long n, int[] counts) {
    CiphertextBehindHeaders.Finding f = CiphertextBehindHeaders.measure(n, counts);
    return f.restChiSquare() <= CiphertextBehindHeaders.REPEATED_REST_LIMIT
        && f.headerShare() <= FRAMED_WINDOW_MAX_HEADER_SHARE;
  }

  /** Payload offset of the first readable window, or -1. */
  long readableAt() {
    return readableAt;
  }

  double readableEntropy() {
    return readableEntropy;
  }

  /** Statistics of the first readable window, or null. */
  ByteStatistics readableStatistics() {
    return readable;
  }

  /**
   * Payload offset of the first window whose bytes were not uniform (and not readable), or -1: a
   * readable window found later does not clear it.
   */
  long notUniformAt() {
    return notUniformAt;
  }

  /** Statistics of that window, or null. */
  ByteStatistics notUniformStatistics() {
    return notUniform;
  }
}
