package io.migaudit.analyzer.stream;

import io.migaudit.analyzer.AnalyzerConfig;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Topics;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The analyzer's topology: {@code migaudit.flows} -> {@link FlowProcessor} (with its four
 * changelogged in-memory stores) -> {@code migaudit.alerts}, {@code migaudit.kerberos} (KDC flows'
 * records), and {@code migaudit.migrations} when events are published; plus the global table of
 * {@code migaudit.kerberos} ({@link KerberosTable}) every instance reads.
 */
public final class AnalyzerTopology {
  /**
   * The stores, each with a compacted changelog topic {@code <application id>-<store>-changelog}.
   */
  public static final List<String> STORES =
      List.of(
          RaisedAlertStore.NAME,
          StoreEventStorage.NAME,
          PendingJudgements.NAME,
          FlowIdentities.NAME);

  private static final String SOURCE = "flows";
  private static final String PROCESSOR = "judge";

  private AnalyzerTopology() {}

  public static Topology build(
      AnalyzerConfig config,
      Supplier<RuleEngine> engines,
      AnalyzerMetrics metrics,
      FlowObserver observer,
      Progress progress,
      boolean publishEvents) {
    Topology t = new Topology();
    t.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), Topics.FLOWS);
    t.addProcessor(
        PROCESSOR,
        () -> new FlowProcessor(engines, metrics, observer, config, progress, publishEvents),
        SOURCE);
    for (String store : STORES) {
      t.addStateStore(
          Stores.keyValueStoreBuilder(
                  Stores.inMemoryKeyValueStore(store), Serdes.String(), Serdes.ByteArray())
              .withLoggingEnabled(Map.of())
              .withCachingDisabled(),
          PROCESSOR);
    }
    t.addGlobalStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(KerberosTable.NAME),
                Serdes.String(),
                Serdes.ByteArray())
            .withLoggingDisabled(),
        KerberosTable.SOURCE,
        new StringDeserializer(),
        new ByteArrayDeserializer(),
        Topics.KERBEROS,
        KerberosTable.LOADER,
        KerberosTable.Loader::new);
    t.addSink(
        FlowProcessor.KERBEROS_SINK,
        Topics.KERBEROS,
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        PROCESSOR);
    t.addSink(
        FlowProcessor.ALERTS_SINK,
        Topics.ALERTS,
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        PROCESSOR);
    if (publishEvents) {
      t.addSink(
          FlowProcessor.EVENTS_SINK,
          Topics.MIGRATIONS,
          new ByteArraySerializer(),
          new ByteArraySerializer(),
          PROCESSOR);
    }
    return t;
  }

  /**
   * Engines for several stream threads: each thread's own, following {@code source}'s policy (see
   * {@link ThreadEngines}).
   */
  public static Supplier<RuleEngine> enginePerThread(Supplier<RuleEngine> source) {
    return new ThreadEngines(source);
  }

  /** The changelog topic of {@code store} under {@code applicationId}. */
  public static String changelog(String applicationId, String store) {
    return applicationId + "-" + store + "-changelog";
  }
}
