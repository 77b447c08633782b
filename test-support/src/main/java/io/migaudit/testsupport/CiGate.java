package io.migaudit.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The gate of a test that needs something a developer's machine may lack (root, namespaces, a
 * program): locally it is skipped with the reason; on CI ({@code CI=true}, any case) it fails, so a
 * machine that lacks what it needs cannot pass CI by skipping.
 */
public final class CiGate {
  private CiGate() {}

  /** Whether this runs on CI: {@code CI=true}. */
  public static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Skips the test with {@code reason}, or fails it on CI. Never returns. */
  public static RuntimeException unavailable(String reason) {
    if (onCi()) {
      Assertions.fail(reason + " (CI=true: failing instead of skipping)");
    }
    Assumptions.abort(reason);
    throw new AssertionError("unreachable");
  }

  /** Passes when {@code available}; otherwise {@link #unavailable} with {@code reason}. */
  public static void require(boolean available, String reason) {
    if (!available) {
      throw unavailable(reason);
    }
  }

  /** Passes when {@code problem} is null; otherwise {@link #unavailable} with it as the reason. */
  public static void requireNoProblem(String problem) {
    if (problem != null) {
      throw unavailable(problem);
    }
  }
}
