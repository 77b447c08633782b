package io.migaudit.analyzer.stream;

import io.migaudit.analyzer.rules.RuleEngine;
import java.util.function.Supplier;

/**
 * One rule engine per stream thread (an engine is not thread-safe), all judging by the policy of
 * the engine {@code source} gives now: each thread's engine is a {@link RuleEngine#sibling} of the
 * first engine it saw, and follows the source's later engines (a policy reload) with {@link
 * RuleEngine#withPolicy}. The source (a {@code RuleEngineHolder}, say) is only called under this
 * object's lock, so it sees one caller at a time as it did with one thread.
 */
final class ThreadEngines implements Supplier<RuleEngine> {
  private final Supplier<RuleEngine> source;
  private final ThreadLocal<Own> own = new ThreadLocal<>();

  /** A thread's engine and the source's engine it follows. */
  private static final class Own {
    RuleEngine followed;
    RuleEngine engine;
  }

  ThreadEngines(Supplier<RuleEngine> source) {
    this.source = source;
  }

  @Override
  public RuleEngine get() {
    RuleEngine now;
    synchronized (this) {
      now = source.get();
    }
    Own o = own.get();
    if (o == null) {
      o = new Own();
      o.engine = now.sibling();
      own.set(o);
    } else if (o.followed != now) {
      o.engine = o.engine.withPolicy(now.policy());
    }
    o.followed = now;
    return o.engine;
  }
}
