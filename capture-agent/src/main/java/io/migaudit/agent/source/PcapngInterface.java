package io.migaudit.agent.source;

/**
 * One pcapng Interface Description Block: link type, snap length and how to turn its timestamps
 * into microseconds (draft-ietf-opsawg-pcapng, "Interface Description Block", options {@code
 * if_tsresol} and {@code if_tsoffset}).
 *
 * @param linkType LINKTYPE_* of the interface's frames
 * @param snapLength largest frame the interface captured, 0 for no limit
 * @param binaryResolution true when a tick is 2^-exponent seconds, false for 10^-exponent
 * @param resolutionExponent the exponent of {@code if_tsresol} (6 when absent: microseconds)
 * @param offsetSeconds {@code if_tsoffset}: seconds to add to every timestamp
 */
record PcapngInterface(
    int linkType,
    long snapLength,
    boolean binaryResolution,
    int resolutionExponent,
    long offsetSeconds) {

  /** if_tsresol's default when the option is absent: 10^-6 s. */
  static final int DEFAULT_DECIMAL_EXPONENT = 6;

  // Options (draft section 3.5): code(2) length(2) value padded to 32 bits.
  private static final int OPTION_HEADER_LENGTH = 4;
  private static final int OPTION_ALIGNMENT = 4;
  private static final int OPT_END_OF_OPT = 0;
  private static final int IF_TSRESOL = 9;
  private static final int IF_TSOFFSET = 14;
  private static final int TSRESOL_BINARY_FLAG = 0x80;
  private static final int TSRESOL_EXPONENT_MASK = 0x7F;
  private static final long MICROS_PER_SECOND = 1_000_000L;
  private static final int MICRO_EXPONENT = 6;

  /** 10^0 .. 10^18, every power of ten a long holds. */
  private static final long[] POWERS_OF_TEN = powersOfTen();

  /**
   * Reads an Interface Description Block held whole in {@code input}'s block buffer: link type and
   * snap length at the given offsets, options from {@code optionsStart} to {@code optionsEnd}. An
   * option overrunning the block ends the list; the interface itself is still sound.
   */
  static PcapngInterface read(
      CaptureInput input, int linkTypeAt, int snapLengthAt, int optionsStart, int optionsEnd) {
    boolean binary = false;
    int exponent = DEFAULT_DECIMAL_EXPONENT;
    long offsetSeconds = 0;
    int pos = optionsStart;
    while (pos + OPTION_HEADER_LENGTH <= optionsEnd) {
      int code = input.u16(pos);
      int valueLength = input.u16(pos + 2);
      int value = pos + OPTION_HEADER_LENGTH;
      if (code == OPT_END_OF_OPT || value + valueLength > optionsEnd) {
        break;
      }
      if (code == IF_TSRESOL && valueLength >= 1) {
        binary = (input.u8(value) & TSRESOL_BINARY_FLAG) != 0;
        exponent = input.u8(value) & TSRESOL_EXPONENT_MASK;
      } else if (code == IF_TSOFFSET && valueLength >= Long.BYTES) {
        offsetSeconds = input.i64(value);
      }
      pos = value + ((valueLength + OPTION_ALIGNMENT - 1) & -OPTION_ALIGNMENT);
    }
    return new PcapngInterface(
        input.u16(linkTypeAt), input.u32(snapLengthAt), binary, exponent, offsetSeconds);
  }

  /** Microseconds since the epoch for a timestamp of {@code ticks} (unsigned 64-bit) units. */
  long toMicros(long ticks) {
    long micros =
        binaryResolution ? binaryToMicros(ticks, resolutionExponent) : decimalToMicros(ticks);
    return micros + offsetSeconds * MICROS_PER_SECOND;
  }

  private long decimalToMicros(long ticks) {
    int e = resolutionExponent;
    if (e == MICRO_EXPONENT) {
      return ticks;
    }
    if (e < MICRO_EXPONENT) {
      return ticks * POWERS_OF_TEN[MICRO_EXPONENT - e];
    }
    int shift = e - MICRO_EXPONENT;
    return shift < POWERS_OF_TEN.length ? Long.divideUnsigned(ticks, POWERS_OF_TEN[shift]) : 0;
  }

  /** ticks * 10^6 / 2^k, exactly, with a 128-bit product so no resolution overflows. */
  static long binaryToMicros(long ticks, int k) {
    if (k == 0) {
      return ticks * MICROS_PER_SECOND;
    }
    if (k >= Long.SIZE) {
      int shift = k - Long.SIZE;
      return shift >= Long.SIZE ? 0 : unsignedMultiplyHigh(ticks, MICROS_PER_SECOND) >>> shift;
    }
    long seconds = ticks >>> k;
    long fraction = ticks & ((1L << k) - 1);
    long low = fraction * MICROS_PER_SECOND;
    long high = unsignedMultiplyHigh(fraction, MICROS_PER_SECOND);
    long fractionMicros = (low >>> k) | (high << (Long.SIZE - k));
    return seconds * MICROS_PER_SECOND + fractionMicros;
  }

  /**
   * High 64 bits of the unsigned 128-bit product (Math.unsignedMultiplyHigh arrived in Java 18).
   */
  private static long unsignedMultiplyHigh(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> (Long.SIZE - 1)) & b) + ((b >> (Long.SIZE - 1)) & a);
  }

  private static long[] powersOfTen() {
    long[] powers = new long[19];
    powers[0] = 1;
    for (int i = 1; i < powers.length; i++) {
      powers[i] = powers[i - 1] * 10;
    }
    return powers;
  }
}
