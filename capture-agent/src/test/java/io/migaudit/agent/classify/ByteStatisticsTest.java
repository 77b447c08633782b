package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteStatisticsTest {
  /** Shannon entropy as defined, one logarithm per value present. */
  private static double entropyByDefinition(long n, int[] counts) {
    double h = 0;
    for (int c : counts) {
      if (c > 0) {
        double p = (double) c / n;
        h -= p * (Math.log(p) / Math.log(2));
      }
    }
    return h;
  }

  @Test
  void entropyMatchesTheDefinitionForSmallMediumAndHugeCounts() {
    Random random = new Random(18);
    for (int round = 0; round < 2_000; round++) {
      int[] counts = new int[256];
      int values = 1 + random.nextInt(256);
      int scale =
          switch (round % 4) {
            case 0 -> 3; // a short flow's few bytes
            case 1 -> 40; // a few segments
            case 2 -> 5_000; // counts on both sides of the table's end
            default -> 1_000_000; // a large sample of zero pages
          };
      long n = 0;
      for (int v = 0; v < values; v++) {
        counts[random.nextInt(256)] += 1 + random.nextInt(scale);
      }
      for (int c : counts) {
        n += c;
      }
      ByteStatistics s = ByteStatistics.of(n, counts);
      assertThat(s.entropy())
          .as("round %d, %d bytes", round, n)
          .isCloseTo(entropyByDefinition(n, counts), within(1e-9))
          .isBetween(0.0, 8.0);
    }
  }

  @Test
  void oneValuedSamplesHaveNoEntropyAndUniformOnesEight() {
    for (int n : new int[] {1, 2, 3, 255, 4095, 4096, 4097, 65_536, 1 << 20}) {
      int[] counts = new int[256];
      counts[0x41] = n;
      assertThat(ByteStatistics.of(n, counts).entropy()).as("%d bytes", n).isZero();
    }
    int[] uniform = new int[256];
    java.util.Arrays.fill(uniform, 5_000);
    assertThat(ByteStatistics.of(256 * 5_000L, uniform).entropy()).isCloseTo(8.0, within(1e-12));
    assertThat(ByteStatistics.of(256 * 5_000L, uniform).chiSquare()).isZero();
  }

  @Test
  void smallSamplesKeptAsBytesGiveTheStatisticsOfTheirCounts() {
    Random random = new Random(256);
    for (int round = 0; round < 5_000; round++) {
      int n = 1 + random.nextInt(ByteHistogram.RAW_BYTES);
      int alphabet = 1 + random.nextInt(round % 3 == 0 ? 4 : 256);
      byte[] raw = new byte[ByteHistogram.RAW_BYTES];
      int[] counts = new int[256];
      for (int i = 0; i < n; i++) {
        raw[i] = (byte) random.nextInt(alphabet);
        counts[raw[i] & 0xFF]++;
      }
      ByteStatistics fromBytes = ByteStatistics.ofBytes(raw, n);
      ByteStatistics fromCounts = ByteStatistics.of(n, counts);
      assertThat(fromBytes.entropy())
          .as("round %d, %d bytes", round, n)
          .isCloseTo(entropyByDefinition(n, counts), within(1e-12))
          .isBetween(0.0, 8.0);
      assertThat(fromBytes.chiSquare())
          .as("round %d", round)
          .isCloseTo(fromCounts.chiSquare(), within(1e-9 * fromCounts.chiSquare()));
      assertThat(fromBytes.zeroFraction()).isEqualTo(fromCounts.zeroFraction());
      assertThat(fromBytes.printableFraction()).isEqualTo(fromCounts.printableFraction());
      assertThat(fromBytes.n()).isEqualTo(n);
    }
    // the per-thread counts are zero again after each sample
    byte[] one = {(byte) 0x41};
    assertThat(ByteStatistics.ofBytes(new byte[] {0x41, 0x41}, 2).entropy()).isZero();
    assertThat(ByteStatistics.ofBytes(one, 1).chiSquare()).isEqualTo(255.0);
  }
}
