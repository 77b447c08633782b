package io.migaudit.agent.live;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * The live agent's answer to {@code /healthz}: healthy while every capture thread is alive,
 * unhealthy for good once one failed, or ended while no stop was asked for (its interface went
 * away). A stop (SIGTERM) ends the threads without making the agent unhealthy.
 */
final class CaptureHealth implements BooleanSupplier {
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private volatile boolean failed;
  private volatile boolean stopping;

  /** Watches a started capture thread. */
  void watch(Thread captureThread) {
    threads.add(captureThread);
  }

  /** A capture thread ended with an error. */
  void failed() {
    failed = true;
  }

  /** The threads are being stopped on purpose: their ending is not a failure. */
  void stopping() {
    stopping = true;
  }

  @Override
  public boolean getAsBoolean() {
    if (failed) {
      return false;
    }
    return stopping || threads.stream().allMatch(Thread::isAlive);
  }
}
