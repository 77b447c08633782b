package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** FixedDecimal must print what String.format prints, ties and edge values included. */
class FixedDecimalTest {

  @Test
  void matchesStringFormatOnEdgeValues() {
    double[] values = {
      0,
      -0.0,
      0.5,
      1.5,
      2.5,
      0.125,
      0.005,
      0.015,
      0.045,
      1.005,
      2.675,
      7.995,
      7.999999,
      99.5,
      100,
      255,
      1e-9,
      1e15,
      1e17,
      1e22,
      123456789.5,
      7954655.4999,
      4.35,
      0.994999,
      Double.MIN_VALUE,
      Double.MAX_VALUE,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      -1.5,
      -0.004,
      9.995,
      99.96,
      999999.95,
      9999999.5,
      9999999.996,
      1e7,
      0.001,
      0.0015,
      0.00099,
      -99.5,
      0.9
    };
    for (double v : values) {
      for (int decimals = 0; decimals <= 3; decimals++) {
        assertThat(FixedDecimal.format(v, decimals))
            .as("%s with %d decimals", v, decimals)
            .isEqualTo(String.format(Locale.ROOT, "%." + decimals + "f", v));
      }
    }
  }

  @Test
  void matchesStringFormatOnRandomStatistics() {
    Random r = new Random(4);
    for (int i = 0; i < 200_000; i++) {
      double v =
          switch (i % 4) {
            case 0 -> r.nextDouble() * 8; // entropy
            case 1 -> r.nextDouble() * 1e7; // chi-square
            case 2 ->
                100.0 * r.nextInt(100_000) / (1 + r.nextInt(100_000)); // percentages of counts
            default -> Math.round(r.nextDouble() * 80_000) / 10_000.0 + 0.005; // near ties
          };
      int decimals = i % 3;
      assertThat(FixedDecimal.format(v, decimals))
          .as("%s with %d decimals", v, decimals)
          .isEqualTo(String.format(Locale.ROOT, "%." + decimals + "f", v));
    }
  }
}
