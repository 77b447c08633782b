package io.migaudit.cli.analyzer;

import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.cli.agent.AgentSettings;
import io.migaudit.cli.common.SettingsFile;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything {@code migaudit analyzer} runs with: {@link #defaults()}, then the {@code --config}
 * file, then the command-line flags, each overriding only what it gives ({@link #with(Overrides)}),
 * as for the agent ({@link AgentSettings}).
 *
 * @param policy the policy file; null until the file or a flag gives it
 * @param bootstrapServers the Kafka cluster; null means the Kafka client properties give it
 * @param kafkaConfig Kafka client properties file, or null
 * @param groupId the consumer group the analyzer instances share
 * @param alerts a file alerts are also appended to as JSON lines, or null
 * @param metricsAddress where /metrics and /healthz listen
 * @param policyReload re-read the policy when its file changes (SIGHUP re-reads it either way)
 * @param recordKeys the directory of the agents' record keys ({@code AGENT_ID.key}), or null: only
 *     values signed with the key of the agent they name are judged when it is given
 * @param recordKey this analyzer's own record key file, or null: its alerts and migration events
 *     are then signed with it, for {@code report --analyzer-key}
 */
record AnalyzerSettings(
    Path policy,
    String bootstrapServers,
    Path kafkaConfig,
    String groupId,
    Path alerts,
    String metricsAddress,
    boolean policyReload,
    Path recordKeys,
    Path recordKey) {

  static final String DEFAULT_METRICS_ADDRESS = "127.0.0.1:9465";

  static AnalyzerSettings defaults() {
    return new AnalyzerSettings(
        null,
        null,
        null,
        KafkaSettings.DEFAULT_GROUP_ID,
        null,
        DEFAULT_METRICS_ADDRESS,
        true,
        null,
        null);
  }

  /**
   * Settings given in one place (a config file or the command line); null means "not given here".
   */
  record Overrides(
      Path policy,
      String bootstrapServers,
      Path kafkaConfig,
      String groupId,
      Path alerts,
      String metricsAddress,
      Boolean policyReload,
      Path recordKeys,
      Path recordKey) {
    static Overrides none() {
      return new Overrides(null, null, null, null, null, null, null, null, null);
    }
  }

  /** These settings with every value {@code o} gives replacing this one's. */
  AnalyzerSettings with(Overrides o) {
    return new AnalyzerSettings(
        or(o.policy(), policy),
        or(o.bootstrapServers(), bootstrapServers),
        or(o.kafkaConfig(), kafkaConfig),
        or(o.groupId(), groupId),
        or(o.alerts(), alerts),
        or(o.metricsAddress(), metricsAddress),
        or(o.policyReload(), policyReload),
        or(o.recordKeys(), recordKeys),
        or(o.recordKey(), recordKey));
  }

  /** A value out of range, named by its key; checked for the file and again after the flags. */
  Optional<SettingsFile.Problem> problem() {
    if (!SettingsFile.isHostPort(metricsAddress)) {
      return Optional.of(
          new SettingsFile.Problem(
              "metricsAddress",
              "\""
                  + metricsAddress
                  + "\" is not HOST:PORT with a port 0-65535, e.g. "
                  + DEFAULT_METRICS_ADDRESS));
    }
    if (groupId.isBlank()) {
      return Optional.of(new SettingsFile.Problem("groupId", "must not be empty"));
    }
    if (bootstrapServers != null && bootstrapServers.isBlank()) {
      return Optional.of(new SettingsFile.Problem("bootstrapServers", "must not be empty"));
    }
    return Optional.empty();
  }

  private static <T> T or(T given, T fallback) {
    return given != null ? given : fallback;
  }
}
