package io.migaudit.analyzer.policy;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the known name a misspelt one probably meant, for "did you mean" hints. */
final class Suggestion {
  /** Edits allowed between a typo and the name it meant, after ignoring case, '_' and '-'. */
  private static final int MAX_EDITS = 2;

  private Suggestion() {}

  /** The closest of {@code known} to {@code given}, if it is close enough to be a typo. */
  static Optional<String> closest(String given, Collection<String> known) {
    String g = normalized(given);
    String best = null;
    int bestDistance = MAX_EDITS + 1;
    for (String k : known) {
      int d = distance(g, normalized(k));
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** {@code " (did you mean x?)"}, or the list of known names when none is close. */
  static String hint(String given, Collection<String> known) {
    return closest(given, known)
        .map(k -> " (did you mean " + k + "?)")
        .orElse(" (expected one of " + String.join(", ", known) + ")");
  }

  private static String normalized(String s) {
    return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
