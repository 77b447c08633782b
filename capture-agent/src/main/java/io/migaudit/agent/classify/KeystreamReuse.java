package io.migaudit.agent.classify;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;

/**
 * Finds a keystream that repeats in one direction of a TCP stream: a fixed XOR pad, or a stream
 * cipher (AES-CTR, ChaCha20) started again with the same key and nonce for every block of the
 * stream. Its bytes pass any byte-histogram test, yet equal plaintext a period apart is equal on
 * the wire too, and guest memory is full of equal bytes (zeros most of all): in a real QEMU stream
 * through such a tunnel, 15 % of the bytes equal the byte 64 KiB further on (sample {@code
 * qemu-keystream-reuse}), where encryption makes that 1 in 256.
 *
 * <p>The byte at every {@link #STRIDE}th stream offset from {@link #FROM_STREAM_OFFSET} is kept
 * ({@link #KEPT} at most, the span of a migration's 256 KiB sample). Asked for a verdict, it
 * compares the kept bytes at every lag that is a multiple of {@link #STRIDE}, up to {@link
 * #MAX_LAG}: first on {@link #SCREEN_PAIRS} pairs of each lag spread over the sample, then on all
 * pairs of a lag that stood out. A lag is a period when at least {@link #MIN_EQUAL_SHARE} of its
 * pairs are equal ({@link #MIN_EQUAL_SHARE} is five times uniform's 1/256, and at least {@link
 * #MIN_SIGMAS} standard deviations above it), and the equal pairs hold at least {@link
 * #MIN_DISTINCT_VALUES} byte values, none more than {@link #MAX_VALUE_SHARE} of them: under a
 * reused keystream the equal bytes are the pad's, as varied as it is, while clear record headers of
 * a fixed size (ciphertext behind headers) repeat the same few values at the same lag and do not
 * count.
 *
 * <p>What it does not see: a period that is not a multiple of {@link #STRIDE} bytes, or longer than
 * {@link #MAX_LAG}; a keystream restarted at each message of a varying length; a block cipher in
 * ECB mode (its repeated blocks are caught by the byte histogram instead). Made for a TCP direction
 * once its sample holds {@link PayloadSample#PROLOGUE_BYTES}; it keeps the sample's counts (1 KiB)
 * while it waits for a uniform stretch ({@link #look}), then {@link #KEPT} bytes and a bit each;
 * the lags are compared once, when the verdict is first asked after new bytes.
 */
final class KeystreamReuse {
  /** Every how many stream bytes one is kept. */
  static final int STRIDE = 64;

  /** Stream offset of the first byte kept: past any clear handshake. */
  static final long FROM_STREAM_OFFSET = PayloadSample.PROLOGUE_BYTES;

  /** Bytes kept at most: from 16 KiB to 256 KiB of the stream. */
  static final int KEPT = (int) (((256L << 10) - FROM_STREAM_OFFSET) / STRIDE);

  /** Longest period looked for. */
  static final int MAX_LAG = 192 << 10;

  /** Pairs of each lag compared first. */
  static final int SCREEN_PAIRS = 256;

  /**
   * Equal pairs among the {@link #SCREEN_PAIRS} of a lag for it to be compared in full: uniform
   * bytes (1 expected) reach it at about one lag in 12,000, so a direction's 3,072 lags cost one
   * full comparison or none; a keystream reused over memory (5 % equal: 13 expected, 15 %: 38)
   * nearly always, at its period or one of its multiples.
   */
  static final int SCREEN_EQUAL = 7;

  /** Share of equal pairs a period needs: five times uniform's. */
  static final double MIN_EQUAL_SHARE = 5.0 / 256;

  /** Standard deviations above uniform's equal pairs a period needs. */
  static final double MIN_SIGMAS = 10;

  /** Byte values the equal pairs of a period must hold. */
  static final int MIN_DISTINCT_VALUES = 16;

  /** Largest share of the equal pairs one byte value may hold. */
  static final double MAX_VALUE_SHARE = 0.25;

  private static final int MAX_STEPS = MAX_LAG / STRIDE;

  /** Eight kept bytes at any index, read at once. */
  private static final VarHandle EIGHT_BYTES =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** A look never made: for a direction of datagrams, which have no stream offsets. */
  static final KeystreamReuse NOT_LOOKED_AT = new KeystreamReuse(Long.MAX_VALUE);

  /** Sampled bytes at which {@link #look} is next due; never once bytes are kept. */
  private long nextLookAt;

  /** Counts of the sample at the last {@link #look}, its last element the bytes then; or null. */
  private int[] lastLook;

  /** Null until a stretch of the sample looked uniform. */
  private byte[] kept;

  private long[] present;

  /** Kept bytes since the lags were last compared. */
  private boolean changed;

  private Period period;

  /** A period found: its length in bytes, its pairs, the equal ones and their byte values. */
  record Period(int lag, int pairs, int equal, int values) {
    String describe() {
      return String.format(
          Locale.ROOT,
          "%.1f%% of bytes equal the one %d on, %d of %d, %d values; ciphertext 0.4%%",
          100.0 * equal / pairs,
          lag,
          equal,
          pairs,
          values);
    }
  }

  /** A look first due when the direction's sample holds {@link PayloadSample#PROLOGUE_BYTES}. */
  KeystreamReuse() {
    this(PayloadSample.PROLOGUE_BYTES);
  }

  private KeystreamReuse(long firstLookAt) {
    nextLookAt = firstLookAt;
  }

  /** True when {@link #look} is due, the direction's sample holding {@code sampledBytes}. */
  boolean lookDue(long sampledBytes) {
    return sampledBytes >= nextLookAt;
  }

  /**
   * Starts keeping bytes when the last {@link PayloadSample#PROLOGUE_BYTES} sampled bytes look
   * uniform, given the sample's {@code counts} (a copy it may keep) and the {@code sampledBytes}
   * they hold. Only a stream that may pass for encrypted needs the bytes kept, and a clear stream
   * (most migrations, most traffic) is spared their cost; a clear prologue of any length does not
   * keep the look away from what follows.
   */
  void look(int[] counts, long sampledBytes, long maxBytes) {
    long n = sampledBytes;
    int[] stretch = counts;
    if (lastLook != null) {
      stretch = counts.clone();
      for (int b = 0; b < 256; b++) {
        stretch[b] -= lastLook[b];
      }
      n -= lastLook[256];
    }
    lastLook = null;
    nextLookAt = Long.MAX_VALUE;
    if (ByteStatistics.ofCounts(n, stretch).chiSquare() <= ResampleWindow.NOT_UNIFORM_CHI_SQUARE) {
      kept = new byte[KEPT];
      present = new long[(KEPT + 63) / 64];
    } else if (sampledBytes + PayloadSample.PROLOGUE_BYTES <= maxBytes) {
      lastLook = Arrays.copyOf(counts, 257);
      lastLook[256] = (int) sampledBytes;
      nextLookAt = sampledBytes + PayloadSample.PROLOGUE_BYTES;
    }
  }

  /**
   * Keeps what it needs of {@code length} bytes of {@code frame} from absolute {@code offset},
   * which lie at stream offset {@code streamOffset}.
   */
  void add(long streamOffset, ByteBuffer frame, int offset, int length) {
    if (kept == null) {
      return;
    }
    long end = streamOffset + length;
    long first = Math.max(streamOffset, FROM_STREAM_OFFSET);
    long at = (first + STRIDE - 1) / STRIDE * STRIDE;
    for (; at < end; at += STRIDE) {
      long index = (at - FROM_STREAM_OFFSET) / STRIDE;
      if (index >= KEPT) {
        return;
      }
      int i = (int) index;
      kept[i] = frame.get(offset + (int) (at - streamOffset));
      present[i >>> 6] |= 1L << i;
      changed = true;
    }
  }

  /** The period of a reused keystream, or null when none was found. */
  Period period() {
    if (changed) {
      changed = false;
      period = find();
    }
    return period;
  }

  private Period find() {
    int start = -1;
    int end = 0;
    int count = 0;
    for (int w = 0; w < present.length; w++) {
      count += Long.bitCount(present[w]);
      if (present[w] != 0) {
        start = start < 0 ? 64 * w + Long.numberOfTrailingZeros(present[w]) : start;
        end = 64 * w + 64 - Long.numberOfLeadingZeros(present[w]);
      }
    }
    boolean run =
        count == end - start; // every byte from the first kept to the last: the usual case
    int[] values = run ? null : values();
    for (int step = 1; step <= MAX_STEPS && step < KEPT; step++) {
      int equal = run ? screenRun(start, end, step) : screen(values, step);
      if (equal >= SCREEN_EQUAL) {
        if (values == null) {
          values = values(); // made once, for the first lag that stood out
        }
        Period p = measure(values, step);
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  /** The kept bytes, and for each byte not kept a value no other takes, so it is never equal. */
  private int[] values() {
    int[] values = new int[KEPT];
    for (int i = 0; i < KEPT; i++) {
      values[i] = has(i) ? kept[i] & 0xFF : -1 - i;
    }
    return values;
  }

  /**
   * {@link #screen} where every byte from index {@code start} to {@code end} was kept: eight pairs
   * at a time, in {@link #SCREEN_PAIRS} / 8 runs spread over the pairs.
   */
  private int screenRun(int start, int end, int step) {
    int last = end - step - Long.BYTES; // the last run's start
    if (last < start) {
      return 0;
    }
    int runs = SCREEN_PAIRS / Long.BYTES;
    int spread = Math.max(1, (last - start) / runs);
    int equal = 0;
    for (int r = 0, i = start; r < runs && i <= last; r++, i += spread) {
      equal += zeroBytes((long) EIGHT_BYTES.get(kept, i) ^ (long) EIGHT_BYTES.get(kept, i + step));
    }
    return equal;
  }

  /** The bytes of {@code x} that are zero. */
  private static int zeroBytes(long x) {
    long low7 = 0x7F7F7F7F7F7F7F7FL;
    long nonZeroLow = (x & low7) + low7; // a byte's top bit: its low 7 bits were not all zero
    return Long.bitCount(~(nonZeroLow | x | low7));
  }

  /**
   * Equal pairs among {@link #SCREEN_PAIRS} pairs {@code step} kept bytes apart, spread over all
   * the pairs of that lag: memory is equal to itself in some stretches more than in others.
   */
  private static int screen(int[] values, int step) {
    int spread = Math.max(1, (values.length - step) / SCREEN_PAIRS);
    int pairs = 0;
    int equal = 0;
    for (int i = 0; i + step < values.length && pairs < SCREEN_PAIRS; i += spread) {
      int a = values[i];
      int b = values[i + step];
      if ((a | b) >= 0) {
        pairs++;
        equal += a == b ? 1 : 0;
      }
    }
    return equal;
  }

  /** The period at {@code step} kept bytes, when all its pairs show one; else null. */
  private static Period measure(int[] values, int step) {
    int pairs = 0;
    int equal = 0;
    int[] counts = new int[256];
    for (int i = 0; i + step < values.length; i++) {
      int a = values[i];
      int b = values[i + step];
      if ((a | b) >= 0) {
        pairs++;
        if (a == b) {
          equal++;
          counts[a]++;
        }
      }
    }
    double expected = pairs / 256.0;
    double sigma = Math.sqrt(expected * (1 - 1 / 256.0));
    if (equal < MIN_EQUAL_SHARE * pairs || equal < expected + MIN_SIGMAS * sigma) {
      return null;
    }
    int distinct = 0;
    int most = 0;
    for (int c : counts) {
      distinct += c > 0 ? 1 : 0;
      most = Math.max(most, c);
    }
    if (distinct < MIN_DISTINCT_VALUES || most > MAX_VALUE_SHARE * equal) {
      return null;
    }
    return new Period(step * STRIDE, pairs, equal, distinct);
  }

  private boolean has(int i) {
    return (present[i >>> 6] & (1L << i)) != 0;
  }
}
