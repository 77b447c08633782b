package io.migaudit.testsupport;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Deadline polling: waits for a condition, checking it often, and fails with what it waited for
 * once the deadline has passed. Never a fixed sleep: a test takes as long as the condition needs.
 */
public final class Eventually {
  private static final long FIRST_PAUSE_MILLIS = 5;
  private static final long LONGEST_PAUSE_MILLIS = 100;

  /** A condition that may throw (an I/O error of a server that is not up yet means "not yet"). */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** A check that may throw (an assertion, an I/O error of a server that is not up yet). */
  @FunctionalInterface
  public interface Check {
    void run() throws Exception;
  }

  /** A value that may not be there yet ({@link Optional#empty()}), or may throw. */
  @FunctionalInterface
  public interface Probe<T> {
    Optional<T> get() throws Exception;
  }

  private Eventually() {}

  /** Returns once {@code condition} holds; fails after {@code deadline} naming {@code what}. */
  public static void until(String what, Duration deadline, Condition condition) {
    get(what, deadline, () -> condition.holds() ? Optional.of(true) : Optional.empty());
  }

  /**
   * Runs {@code check} until it passes; fails after {@code deadline} with its last failure as the
   * cause. A {@link #stop} thrown by the check (e.g. the process it waits on died) ends the wait at
   * once.
   */
  public static void untilAsserted(String what, Duration deadline, Check check) {
    get(
        what,
        deadline,
        () -> {
          check.run();
          return Optional.of(true);
        });
  }

  /**
   * The first value {@code probe} gives; an empty result or an exception means "not yet". Fails
   * after {@code deadline}, with the last exception (if any) as the cause.
   */
  public static <T> T get(String what, Duration deadline, Probe<T> probe) {
    long end = System.nanoTime() + deadline.toNanos();
    long pause = FIRST_PAUSE_MILLIS;
    Throwable last = null;
    while (true) {
      try {
        Optional<T> value = probe.get();
        if (value.isPresent()) {
          return value.get();
        }
      } catch (Stop stop) {
        throw stop;
      } catch (Exception | AssertionError notYet) {
        last = notYet;
      }
      if (System.nanoTime() - end > 0) {
        String why = last == null ? "" : ": " + last.getMessage();
        throw new AssertionError(
            "timed out after " + deadline + " waiting for " + what + why, last);
      }
      pause(pause);
      pause = Math.min(LONGEST_PAUSE_MILLIS, pause * 2);
    }
  }

  /** Waits for {@code supplier} to give a non-null value. */
  public static <T> T nonNull(String what, Duration deadline, Supplier<T> supplier) {
    return get(what, deadline, () -> Optional.ofNullable(supplier.get()));
  }

  /** Ends a wait at once (thrown from a check: the thing waited for can no longer happen). */
  public static Stop stop(String why) {
    return new Stop(why);
  }

  /** Thrown through {@link #get} without waiting further. */
  public static final class Stop extends AssertionError {
    private static final long serialVersionUID = 1L;

    Stop(String why) {
      super(why);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis); // the poll interval of a wait with a deadline, not a fixed wait
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
