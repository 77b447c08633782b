package io.migaudit.analyzer;

import io.micrometer.core.instrument.MeterRegistry;
import io.migaudit.analyzer.alert.AlertSink;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.DigestedPolicy;
import io.migaudit.analyzer.policy.PolicyReloader;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.analyzer.rules.RuleEngineHolder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The long-running analyzer service: an {@link Analyzer} judging with the policy of a file, which
 * {@link #reloader()} re-reads on demand (SIGHUP) and, with {@code watchPolicy}, on each change of
 * the file; a valid policy takes over between two batches, a broken one is logged and counted and
 * the policy in force stays. Its metrics are bound to the registry given; its alert sinks are
 * closed with it.
 */
public final class AnalyzerService implements AutoCloseable {
  private final AnalyzerConfig config;
  private final List<AlertSink> sinks;
  private final PolicyReloader reloader;
  private final Analyzer analyzer;

  /**
   * @param policyFile the policy file, named as the user gave it
   * @param loaded the policy read from it, in force from the start
   * @param sinks local sinks of committed alerts (JSON lines), closed with the service
   */
  public AnalyzerService(
      AnalyzerConfig config,
      Path policyFile,
      DigestedPolicy loaded,
      List<AlertSink> sinks,
      MeterRegistry registry) {
    this.config = config;
    this.sinks = List.copyOf(sinks);
    RuleEngine engine = new RuleEngine(loaded.policy());
    AnalyzerMetrics metrics = new AnalyzerMetrics(registry, engine.protocols());
    RuleEngineHolder engines = new RuleEngineHolder(engine);
    this.reloader =
        new PolicyReloader(policyFile, loaded, engines::offer, metrics, Clock.systemUTC());
    this.analyzer =
        new Analyzer(config, engines, metrics, FlowObserver.NONE, this.sinks, List.of(), registry);
  }

  /** Re-reads the policy file when asked ({@link PolicyReloader#reload}). */
  public PolicyReloader reloader() {
    return reloader;
  }

  /** What the service runs with: the group, its state directory, standbys, partitions. */
  public AnalyzerConfig config() {
    return config;
  }

  /**
   * Watches the policy file (if {@code watchPolicy}), checks the deployment and starts judging.
   *
   * @throws DeploymentException when {@code migaudit.flows} is missing or its partition count
   *     changed
   */
  public void start(boolean watchPolicy) throws Exception {
    if (watchPolicy) {
      reloader.watch(PolicyReloader.DEFAULT_QUIET_PERIOD);
    }
    analyzer.start();
  }

  /** Answers /healthz: false once Kafka Streams stopped or failed. */
  public boolean alive() {
    return analyzer.alive();
  }

  public KafkaStreams.State state() {
    return analyzer.state();
  }

  /**
   * Leaves the group, stops the policy watcher and closes the alert sinks, even after a failure.
   */
  @Override
  public void close() throws Exception {
    try (reloader;
        analyzer) {
      // the analyzer closes first: the reloader's policy serves it to the end
    } finally {
      for (AlertSink s : sinks) {
        s.close();
      }
    }
  }
}
