package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The rule engine the analyzer judges with, replaced when a new policy is offered. {@link #offer}
 * may be called from any thread (a file watcher, a signal handler); the swap happens in {@link
 * #get()}, on the analyzer's stream thread, which calls it once per record: a record is judged by
 * one policy, never two. The new engine keeps the rules' memory ({@link RuleEngine#withPolicy}).
 */
public final class RuleEngineHolder implements Supplier<RuleEngine> {
  private final AtomicReference<Policy> pending = new AtomicReference<>();
  private RuleEngine current;

  public RuleEngineHolder(RuleEngine initial) {
    this.current = Objects.requireNonNull(initial);
  }

  /** Makes {@code policy} the one the next batch is judged by (a later offer replaces this one). */
  public void offer(Policy policy) {
    pending.set(Objects.requireNonNull(policy));
  }

  /** The engine to judge the next batch with; call only from the consumer's thread. */
  @Override
  public RuleEngine get() {
    Policy next = pending.getAndSet(null);
    if (next != null) {
      current = current.withPolicy(next);
    }
    return current;
  }
}
