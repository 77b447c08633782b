package io.migaudit.agent.classify;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Formats a double with a fixed number of decimals exactly as {@code String.format(Locale.ROOT,
 * "%.Nf", v)} does (java.util.Formatter rounds the shortest decimal form of the double half-up), at
 * a fraction of its cost: verdict reasons are written into every record. Values that {@link
 * Double#toString} writes in plain notation (10^-3 to 10^7, every statistic a reason quotes) are
 * rounded on its digits; the rest go through {@link BigDecimal}, which took about 250 ns a value.
 */
final class FixedDecimal {
  /**
   * {@link Double#toString} writes magnitudes from here below {@link #PLAIN_TO} without exponent.
   */
  private static final double PLAIN_FROM = 1e-3;

  private static final double PLAIN_TO = 1e7;

  private FixedDecimal() {}

  static String format(double v, int decimals) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    }
    boolean negative = v < 0 || (v == 0 && 1 / v < 0); // Formatter keeps the sign of -0.004 as "-0"
    double magnitude = Math.abs(v);
    String s =
        magnitude == 0 || (magnitude >= PLAIN_FROM && magnitude < PLAIN_TO)
            ? roundPlain(Double.toString(magnitude), decimals)
            : new BigDecimal(Double.toString(magnitude))
                .setScale(decimals, RoundingMode.HALF_UP)
                .toPlainString();
    return negative ? "-" + s : s;
  }

  /** {@code plain} ("123.4567", no sign, no exponent) rounded half-up to {@code decimals}. */
  private static String roundPlain(String plain, int decimals) {
    int dot = plain.indexOf('.');
    int fractionDigits = plain.length() - dot - 1;
    // one spare digit in front for a carry out of the integer part
    char[] digits = new char[1 + dot + decimals];
    digits[0] = '0';
    plain.getChars(0, dot, digits, 1);
    for (int i = 0; i < decimals; i++) {
      digits[1 + dot + i] = i < fractionDigits ? plain.charAt(dot + 1 + i) : '0';
    }
    if (decimals < fractionDigits && plain.charAt(dot + 1 + decimals) >= '5') {
      int i = digits.length - 1;
      while (digits[i] == '9') {
        digits[i--] = '0';
      }
      digits[i]++;
    }
    int from = digits[0] == '0' ? 1 : 0;
    int integerDigits = 1 + dot - from;
    StringBuilder out = new StringBuilder(integerDigits + 1 + decimals);
    out.append(digits, from, integerDigits);
    if (decimals > 0) {
      out.append('.').append(digits, 1 + dot, decimals);
    }
    return out.toString();
  }
}
