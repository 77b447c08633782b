package io.migaudit.agent.classify;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Counts of each byte value in a direction's sample, held as compactly as its size allows, because
 * a table holds one per direction of hundreds of thousands of flows and touches it on every packet:
 * the first {@link #RAW_BYTES} bytes are kept as they are (small flows: DNS, short requests), then
 * counted in 16-bit counters (512 bytes) while no count can pass 65,535, then in 32-bit ones (1
 * KiB).
 */
final class ByteHistogram {
  /** Sampled bytes kept as they are before counters are worth their size. */
  static final int RAW_BYTES = 256;

  static final int RAW_INITIAL_BYTES = 32;
  static final int BYTE_VALUES = 256;

  /** A count in 16-bit counters: no count can exceed the bytes counted. */
  private static final int NARROW_LIMIT = Character.MAX_VALUE;

  private int total;

  /** The bytes while {@code total <= RAW_BYTES}; then null. */
  private byte[] raw;

  /** Counters while {@code RAW_BYTES < total <= NARROW_LIMIT}; then null. */
  private char[] narrow;

  /** Counters once {@code total > NARROW_LIMIT}. */
  private int[] wide;

  /** Bytes counted so far. */
  int total() {
    return total;
  }

  /** Counts {@code take} bytes of {@code frame} from absolute {@code offset}. */
  void add(ByteBuffer frame, int offset, int take) {
    int after = total + take;
    if (after <= RAW_BYTES) {
      keep(frame, offset, take);
    } else if (after <= NARROW_LIMIT) {
      countNarrow(frame, offset, take);
    } else {
      countWide(frame, offset, take);
    }
    total = after;
  }

  private void keep(ByteBuffer frame, int offset, int take) {
    if (raw == null || raw.length < total + take) {
      int size = raw == null ? RAW_INITIAL_BYTES : raw.length;
      while (size < total + take) {
        size <<= 1;
      }
      raw = raw == null ? new byte[size] : Arrays.copyOf(raw, size);
    }
    frame.get(offset, raw, total, take);
  }

  private void countNarrow(ByteBuffer frame, int offset, int take) {
    if (narrow == null) {
      narrow = new char[BYTE_VALUES];
      for (int i = 0; i < total; i++) {
        narrow[raw[i] & 0xFF]++;
      }
      raw = null;
    }
    char[] h = narrow;
    if (frame.hasArray()) {
      byte[] a = frame.array();
      int from = frame.arrayOffset() + offset;
      for (int i = from, end = from + take; i < end; i++) {
        h[a[i] & 0xFF]++;
      }
    } else {
      for (int i = 0; i < take; i++) {
        h[Byte.toUnsignedInt(frame.get(offset + i))]++;
      }
    }
  }

  private void countWide(ByteBuffer frame, int offset, int take) {
    if (wide == null) {
      wide = counts();
      raw = null;
      narrow = null;
    }
    int[] h = wide;
    if (frame.hasArray()) {
      byte[] a = frame.array();
      int from = frame.arrayOffset() + offset;
      for (int i = from, end = from + take; i < end; i++) {
        h[a[i] & 0xFF]++;
      }
    } else {
      for (int i = 0; i < take; i++) {
        h[Byte.toUnsignedInt(frame.get(offset + i))]++;
      }
    }
  }

  /**
   * The sampled bytes themselves while they are kept as bytes (the first {@link #total()} of the
   * array; read, never change), else null.
   */
  byte[] rawBytes() {
    return narrow == null && wide == null ? raw : null;
  }

  /** Occurrences of byte value {@code b}. */
  int count(int b) {
    if (wide != null) {
      return wide[b];
    }
    if (narrow != null) {
      return narrow[b];
    }
    int c = 0;
    for (int i = 0; i < total; i++) {
      c += (raw[i] & 0xFF) == b ? 1 : 0;
    }
    return c;
  }

  /** Occurrences of every byte value, indexed by value: a new array. */
  int[] counts() {
    return wide != null ? wide.clone() : countsView(new int[BYTE_VALUES]);
  }

  /**
   * The counts without a copy where possible: the 32-bit counters themselves, or {@code scratch}
   * (all zeros, 256 entries) filled. Read the result, never change it; then {@link #clearScratch}.
   */
  int[] countsView(int[] scratch) {
    if (wide != null) {
      return wide;
    }
    if (narrow != null) {
      for (int b = 0; b < BYTE_VALUES; b++) {
        scratch[b] = narrow[b];
      }
    } else {
      for (int i = 0; i < total; i++) {
        scratch[raw[i] & 0xFF]++;
      }
    }
    return scratch;
  }

  /** Zeroes what {@link #countsView} put into {@code scratch}. */
  void clearScratch(int[] scratch) {
    if (narrow != null) {
      Arrays.fill(scratch, 0);
    } else if (wide == null) {
      for (int i = 0; i < total; i++) {
        scratch[raw[i] & 0xFF] = 0;
      }
    }
  }
}
