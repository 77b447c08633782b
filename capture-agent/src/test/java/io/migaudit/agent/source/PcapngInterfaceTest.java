package io.migaudit.agent.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Timestamp units of pcapng interfaces: exact conversions at the edges of if_tsresol. */
class PcapngInterfaceTest {
  private static PcapngInterface decimal(int exponent) {
    return new PcapngInterface(1, 0, false, exponent, 0);
  }

  private static PcapngInterface binary(int exponent) {
    return new PcapngInterface(1, 0, true, exponent, 0);
  }

  @Test
  void decimalResolutionsScaleToMicroseconds() {
    assertThat(decimal(6).toMicros(1_234_567)).isEqualTo(1_234_567);
    assertThat(decimal(9).toMicros(1_234_567_891)).isEqualTo(1_234_567);
    assertThat(decimal(3).toMicros(1_234)).isEqualTo(1_234_000);
    assertThat(decimal(0).toMicros(2)).isEqualTo(2_000_000);
  }

  @Test
  void decimalResolutionsFinerThanALongHoldsGiveZeroNotAnError() {
    assertThat(decimal(30).toMicros(-1L)).isZero();
    assertThat(decimal(24).toMicros(-1L))
        .isEqualTo(Long.divideUnsigned(-1L, 1_000_000_000_000_000_000L));
  }

  @Test
  void ticksAreUnsigned() {
    assertThat(decimal(9).toMicros(-1L)).isEqualTo(Long.divideUnsigned(-1L, 1000));
  }

  @Test
  void binaryResolutionsAreExact() {
    assertThat(binary(20).toMicros((5L << 20) | (1L << 19))).isEqualTo(5_500_000);
    assertThat(binary(0).toMicros(3)).isEqualTo(3_000_000);
    assertThat(binary(32).toMicros((1_700_000_000L << 32) | 0x40000000L))
        .isEqualTo(1_700_000_000_250_000L);
    // 2^-63 s ticks: 2^62 ticks = 0.5 s
    assertThat(binary(63).toMicros(1L << 62)).isEqualTo(500_000);
    // 2^-64 s ticks: 2^63 ticks (as unsigned) = 0.5 s
    assertThat(binary(64).toMicros(Long.MIN_VALUE)).isEqualTo(500_000);
    assertThat(binary(127).toMicros(-1L)).isZero();
  }

  @Test
  void theOffsetIsAddedInSeconds() {
    assertThat(new PcapngInterface(1, 0, false, 6, -10).toMicros(10_000_001)).isEqualTo(1);
  }
}
