package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import io.migaudit.testsupport.CommittedTopic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What one analyzer application committed to {@code migaudit.alerts} and {@code
 * migaudit.migrations} between the moment it was made and {@link #finish()}, read with {@code
 * read_committed}; compared with another application's over the same records ({@link
 * #assertSameAs}).
 */
final class CommittedRun {
  private final String bootstrapServers;
  private final Map<TopicPartition, Long> alertsFrom;
  private final Map<TopicPartition, Long> eventsFrom;
  private Map<TopicPartition, Long> alertsTo;
  private Map<TopicPartition, Long> eventsTo;

  /** Marks where the output topics end now: what the run commits after this is its own. */
  CommittedRun(String bootstrapServers) throws Exception {
    this.bootstrapServers = bootstrapServers;
    alertsFrom = CommittedTopic.end(bootstrapServers, Topics.ALERTS);
    eventsFrom = CommittedTopic.end(bootstrapServers, Topics.MIGRATIONS);
  }

  /**
   * Marks the end of the run: what others commit after this (an uninterrupted run over the same
   * records) is not its own.
   */
  CommittedRun finish() throws Exception {
    alertsTo = CommittedTopic.end(bootstrapServers, Topics.ALERTS);
    eventsTo = CommittedTopic.end(bootstrapServers, Topics.MIGRATIONS);
    return this;
  }

  List<ConsumerRecord<byte[], byte[]>> alertRecords() {
    assertThat(alertsTo).as("the run was finished").isNotNull();
    return CommittedTopic.read(bootstrapServers, Topics.ALERTS, alertsFrom, alertsTo);
  }

  List<Alert> alerts() throws Exception {
    List<Alert> out = new ArrayList<>();
    for (var r : alertRecords()) {
      out.add(RecordJson.alert(r.value()));
    }
    return out;
  }

  /** Alert ids committed, by how often each appears. */
  Map<String, Integer> alertIdCounts() throws Exception {
    return CommittedTopic.alertIdCounts(alertRecords());
  }

  /** The latest committed state of each event. */
  Map<String, MigrationEvent> events() throws Exception {
    assertThat(eventsTo).as("the run was finished").isNotNull();
    return CommittedTopic.latestEvents(
        CommittedTopic.read(bootstrapServers, Topics.MIGRATIONS, eventsFrom, eventsTo));
  }

  /**
   * This run committed exactly the alert ids of {@code baseline} (an uninterrupted run over the
   * same records), each once, and every event ends in the same state. Missing and extra alerts are
   * named.
   */
  void assertSameAs(CommittedRun baseline, String context) throws Exception {
    List<Alert> expectedAlerts = baseline.alerts();
    List<Alert> gotAlerts = alerts();
    Map<String, Integer> expected = count(expectedAlerts);
    Map<String, Integer> got = count(gotAlerts);
    assertThat(expected).as("alerts of the uninterrupted run").isNotEmpty();
    assertThat(expected.values()).as("uninterrupted run: each alert once").containsOnly(1);
    Map<String, String> described = new HashMap<>();
    for (Alert a : gotAlerts) {
      described.put(a.alertId(), describe(a));
    }
    for (Alert a : expectedAlerts) {
      described.put(a.alertId(), describe(a));
    }
    Set<String> missing = new TreeSet<>(expected.keySet());
    missing.removeAll(got.keySet());
    Set<String> extra = new TreeSet<>(got.keySet());
    extra.removeAll(expected.keySet());
    assertThat(missing.stream().map(described::get).toList())
        .as("alerts missing (" + context + ")")
        .isEmpty();
    assertThat(extra.stream().map(described::get).toList())
        .as("alerts extra (" + context + ")")
        .isEmpty();
    assertThat(duplicates()).as("alerts committed more than once (" + context + ")").isEmpty();
    assertThat(events())
        .as("final state of every migration event (" + context + ")")
        .isEqualTo(baseline.events());
  }

  /** Each alert committed more than once, with where each copy is (partition@offset). */
  List<String> duplicates() throws Exception {
    Map<String, List<String>> where = new TreeMap<>();
    Map<String, String> described = new HashMap<>();
    for (var r : alertRecords()) {
      Alert a = RecordJson.alert(r.value());
      where
          .computeIfAbsent(a.alertId(), k -> new ArrayList<>())
          .add(r.partition() + "@" + r.offset());
      described.put(a.alertId(), describe(a));
    }
    return where.entrySet().stream()
        .filter(e -> e.getValue().size() > 1)
        .map(e -> described.get(e.getKey()) + " at " + e.getValue())
        .toList();
  }

  private static Map<String, Integer> count(List<Alert> alerts) {
    Map<String, Integer> counts = new HashMap<>();
    alerts.forEach(a -> counts.merge(a.alertId(), 1, Integer::sum));
    return counts;
  }

  private static String describe(Alert a) {
    return a.alertId()
        + " "
        + a.rule()
        + " "
        + a.src()
        + "->"
        + a.dst()
        + ":"
        + a.dstPort()
        + " flow "
        + a.flowId();
  }
}
