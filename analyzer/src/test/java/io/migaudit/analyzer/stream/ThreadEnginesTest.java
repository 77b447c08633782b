package io.migaudit.analyzer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.EncryptionMode;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.Flows;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.analyzer.rules.RuleEngineHolder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Each stream thread judges with an engine of its own, and every one follows a policy reload. */
class ThreadEnginesTest {

  @Test
  void eachThreadHasItsOwnEngineThatFollowsTheSourcesPolicy() throws Exception {
    Policy first = Flows.samplePolicy();
    RuleEngine initial = new RuleEngine(first);
    RuleEngineHolder holder = new RuleEngineHolder(initial);
    ThreadEngines engines = new ThreadEngines(holder);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      RuleEngine here = engines.get();
      RuleEngine there = CompletableFuture.supplyAsync(engines::get, other).get();
      assertThat(engines.get()).isSameAs(here);
      assertThat(here).isNotSameAs(there).isNotSameAs(initial);
      assertThat(here.policy()).isSameAs(first);
      assertThat(there.policy()).isSameAs(first);

      Policy reloaded = Flows.samplePolicy(EncryptionMode.REQUIRED);
      holder.offer(reloaded);
      assertThat(engines.get().policy()).isSameAs(reloaded);
      RuleEngine thereAfter = CompletableFuture.supplyAsync(engines::get, other).get();
      assertThat(thereAfter.policy()).isSameAs(reloaded);
      assertThat(thereAfter).isNotSameAs(engines.get());
    } finally {
      other.shutdownNow();
    }
  }
}
