package io.migaudit.record;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

/**
 * ISO-8601 UTC as {@link Instant#toString()} writes it, without a formatter per call; keeps the
 * text of the last day it wrote, since consecutive records share it. One per thread.
 */
final class IsoInstant {
  private static final long SECONDS_PER_DAY = 86_400;

  /**
   * 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: outside, years are signed or have five digits.
   */
  private static final long FIRST_FOUR_DIGIT_SECOND = -62_167_219_200L;

  private static final long FIRST_FIVE_DIGIT_SECOND = 253_402_300_800L;

  private final byte[] c = new byte[30];
  private long day = Long.MIN_VALUE;

  String format(Instant t) {
    int n = fill(t);
    return n < 0 ? t.toString() : new String(c, 0, n, StandardCharsets.US_ASCII);
  }

  /**
   * Writes {@code t} into {@link #text()} and returns its length, or -1 for an instant outside the
   * years 0000-9999 (rare: leave them to {@link Instant#toString()}). The record writer copies the
   * text from there, with no String in between.
   */
  int fill(Instant t) {
    long seconds = t.getEpochSecond();
    if (seconds < FIRST_FOUR_DIGIT_SECOND || seconds >= FIRST_FIVE_DIGIT_SECOND) {
      return -1;
    }
    long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
    int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
    if (days != day) {
      LocalDate date = LocalDate.ofEpochDay(days);
      digits(c, 0, date.getYear(), 4);
      c[4] = '-';
      digits(c, 5, date.getMonthValue(), 2);
      c[7] = '-';
      digits(c, 8, date.getDayOfMonth(), 2);
      c[10] = 'T';
      day = days;
    }
    int nano = t.getNano();
    int n = 11;
    n = digits(c, n, secondOfDay / 3600, 2);
    c[n++] = ':';
    n = digits(c, n, secondOfDay / 60 % 60, 2);
    c[n++] = ':';
    n = digits(c, n, secondOfDay % 60, 2);
    if (nano != 0) { // ISO_INSTANT: fraction in groups of three digits, as many as needed
      c[n++] = '.';
      if (nano % 1_000_000 == 0) {
        n = digits(c, n, nano / 1_000_000, 3);
      } else if (nano % 1000 == 0) {
        n = digits(c, n, nano / 1000, 6);
      } else {
        n = digits(c, n, nano, 9);
      }
    }
    c[n++] = 'Z';
    return n;
  }

  /** The ASCII text {@link #fill} wrote. */
  byte[] text() {
    return c;
  }

  private static int digits(byte[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    return at + width;
  }
}
