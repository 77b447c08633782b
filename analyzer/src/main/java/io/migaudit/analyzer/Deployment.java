package io.migaudit.analyzer;

import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.stream.AnalyzerTopology;
import io.migaudit.record.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Checks at start that {@code migaudit.flows} is what the analyzer's deployment was made with: it
 * exists, and it has the partition count of the analyzer's state (its changelog topics, created at
 * the first start) and of {@code --flows-partitions} when given. Records of one source host stay on
 * one partition and the state of a partition lives with it: after a change of the count, both are
 * wrong, and Kafka Streams would fail with an error that says neither why nor what to do.
 */
final class Deployment {
  /** Eight days: more than the longest ticket lifetime a policy takes (7 days). */
  static final Duration KERBEROS_RETENTION = Duration.ofDays(8);

  private final Admin admin;
  private final AnalyzerConfig config;

  Deployment(Admin admin, AnalyzerConfig config) {
    this.admin = admin;
    this.config = config;
  }

  /** Checks the topics; returns whether {@code migaudit.migrations} exists. */
  boolean check() throws Exception {
    Set<String> topics = admin.listTopics().names().get();
    if (!topics.contains(Topics.FLOWS)) {
      throw new DeploymentException(
          "topic "
              + Topics.FLOWS
              + " does not exist: create it (deploy/ has the"
              + " command) before starting the analyzer");
    }
    int flows = partitions(Topics.FLOWS);
    if (config.expectedPartitions() > 0 && flows != config.expectedPartitions()) {
      throw new DeploymentException(
          changed(flows, config.expectedPartitions(), "the deployment's setting"));
    }
    String changelog =
        AnalyzerTopology.changelog(config.applicationId(), AnalyzerTopology.STORES.get(0));
    if (topics.contains(changelog)) {
      int state = partitions(changelog);
      if (state != flows) {
        throw new DeploymentException(
            changed(flows, state, "the analyzer's state (" + changelog + ")"));
      }
    }
    if (!topics.contains(Topics.KERBEROS)) {
      createKerberosTopic();
    }
    return topics.contains(Topics.MIGRATIONS);
  }

  /**
   * {@code migaudit.kerberos}: one partition (every instance reads it all), compacted by key and
   * deleted after {@link #KERBEROS_RETENTION}, longer than the longest ticket lifetime a policy
   * takes.
   */
  private void createKerberosTopic() throws Exception {
    NewTopic topic =
        new NewTopic(Topics.KERBEROS, Optional.of(1), Optional.empty())
            .configs(
                Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG,
                    Long.toString(KERBEROS_RETENTION.toMillis())));
    try {
      admin.createTopics(List.of(topic)).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new DeploymentException(
            "topic "
                + Topics.KERBEROS
                + " does not exist and could not be created ("
                + e.getCause().getMessage()
                + "): create it with cleanup.policy=compact,delete and retention.ms="
                + KERBEROS_RETENTION.toMillis());
      }
    }
  }

  private String changed(int now, int before, String source) {
    return Topics.FLOWS
        + " has "
        + now
        + " partitions but "
        + source
        + " was made for "
        + before
        + ": put the"
        + " count back to "
        + before
        + ", or start over with a new --group-id (alerts of running flows may repeat"
        + " once, with the same ids) and delete the topics "
        + config.applicationId()
        + "-*-changelog";
  }

  private int partitions(String topic) throws Exception {
    TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    return d.partitions().size();
  }

  /** The end offsets of every partition of {@code migaudit.flows}. */
  static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
    TopicDescription d =
        admin.describeTopics(List.of(Topics.FLOWS)).allTopicNames().get().get(Topics.FLOWS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    d.partitions()
        .forEach(
            p -> latest.put(new TopicPartition(Topics.FLOWS, p.partition()), OffsetSpec.latest()));
    Map<TopicPartition, Long> end = new HashMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
    return end;
  }

  /** Admin client settings from the user's client settings. */
  static Map<String, Object> adminProperties(KafkaSettings kafka) {
    return kafka.adminProperties("migaudit-analyzer-admin");
  }
}
