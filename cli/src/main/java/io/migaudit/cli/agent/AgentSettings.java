package io.migaudit.cli.agent;

import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.publish.Spool;
import io.migaudit.agent.source.CaptureBackend;
import io.migaudit.agent.source.LiveCaptureOptions;
import io.migaudit.cli.common.SettingsFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything {@code migaudit agent} runs with: {@link #defaults()}, then the {@code --config} file,
 * then the command-line flags, each overriding only what it gives ({@link #with(Overrides)}).
 *
 * @param agentId agent id in the records; null means the host name
 * @param interfaces interfaces to capture live on (empty in file mode)
 * @param read capture files or directories to publish instead (empty in live mode)
 * @param bootstrapServers the Kafka cluster; null until the file or a flag gives it
 * @param kafkaConfig Kafka client properties file, or null
 * @param metricsAddress where /metrics and /healthz listen
 * @param snaplen bytes kept of each frame
 * @param promiscuous put the interfaces in promiscuous mode
 * @param bufferSize kernel capture buffer per interface, in bytes
 * @param bpfExtra pcap-filter expression ORed with the built-in filter, or null
 * @param spoolDir where flow records wait while Kafka is away; null means {@link #spoolDirFor}
 * @param spoolMaxBytes bound of the spool's files; at the bound the oldest records are dropped
 * @param captureBackend how live frames are read; null means the fastest available ({@link
 *     CaptureBackend#best()})
 * @param policy the analyzer's policy file, or null: a live capture then also sees all traffic
 *     inside its migration networks and all TCP and UDP between its trusted hosts (migrations on
 *     any port, or in a UDP tunnel)
 * @param workers capture workers: pipelines per interface (live, in one AF_PACKET fanout group) or
 *     per capture file (behind a flow-hash dispatcher), each with a flow table of its own
 * @param recordKey the agent's record key file, or null: every value it publishes is then signed
 *     with it ({@code RecordKey}), for analyzers that take only signed records
 */
public record AgentSettings(
    String agentId,
    List<String> interfaces,
    List<Path> read,
    String bootstrapServers,
    Path kafkaConfig,
    String metricsAddress,
    int snaplen,
    boolean promiscuous,
    int bufferSize,
    String bpfExtra,
    Path spoolDir,
    long spoolMaxBytes,
    CaptureBackend captureBackend,
    Path policy,
    int workers,
    Path recordKey) {

  static final String DEFAULT_METRICS_ADDRESS = "127.0.0.1:9464";

  /** The smallest snap length that still holds the headers of an encapsulated frame. */
  static final int MIN_SNAPLEN_BYTES = 64;

  static final long DEFAULT_SPOOL_MAX_BYTES = 1024L * 1024 * 1024;

  /** The dispatcher marks a frame's worker in a byte. */
  public static final int MAX_WORKERS = 127;

  public AgentSettings {
    interfaces = List.copyOf(interfaces);
    read = List.copyOf(read);
  }

  static AgentSettings defaults() {
    return new AgentSettings(
        null,
        List.of(),
        List.of(),
        null,
        null,
        DEFAULT_METRICS_ADDRESS,
        LiveCaptureOptions.DEFAULT_SNAPLEN_BYTES,
        true,
        LiveCaptureOptions.DEFAULT_BUFFER_BYTES,
        null,
        null,
        DEFAULT_SPOOL_MAX_BYTES,
        null,
        null,
        CaptureWorkers.defaultWorkers(),
        null);
  }

  /**
   * The spool directory: the one given, else {@code migaudit/spool-AGENT_ID} in the user's private
   * state directory ({@code $XDG_STATE_HOME}, else {@code ~/.local/state}), the same for every run
   * of one agent id; never a shared temporary directory (the service sets /var/lib/migaudit/spool).
   */
  Path spoolDirFor(String id) {
    return spoolDir != null
        ? spoolDir
        : stateHome(System.getenv()).resolve("migaudit").resolve("spool-" + id);
  }

  /**
   * {@code $XDG_STATE_HOME} when it is an absolute path (XDG Base Directory), else {@code
   * ~/.local/state}.
   */
  static Path stateHome(Map<String, String> env) {
    String xdg = env.get("XDG_STATE_HOME");
    if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg);
    }
    return Path.of(System.getProperty("user.home"), ".local", "state");
  }

  /**
   * Settings given in one place (a config file or the command line); null means "not given here".
   * The capture mode is one choice: giving {@code interfaces} or {@code read} replaces both.
   */
  record Overrides(
      String agentId,
      List<String> interfaces,
      List<Path> read,
      String bootstrapServers,
      Path kafkaConfig,
      String metricsAddress,
      Integer snaplen,
      Boolean promiscuous,
      Integer bufferSize,
      String bpfExtra,
      Path spoolDir,
      Long spoolMaxBytes,
      CaptureBackend captureBackend,
      Path policy,
      Integer workers,
      Path recordKey) {
    static Overrides none() {
      return new Overrides(
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
          null);
    }
  }

  /** These settings with every value {@code o} gives replacing this one's. */
  AgentSettings with(Overrides o) {
    boolean mode = o.interfaces() != null || o.read() != null;
    return new AgentSettings(
        or(o.agentId(), agentId),
        mode ? or(o.interfaces(), List.of()) : interfaces,
        mode ? or(o.read(), List.of()) : read,
        or(o.bootstrapServers(), bootstrapServers),
        or(o.kafkaConfig(), kafkaConfig),
        or(o.metricsAddress(), metricsAddress),
        or(o.snaplen(), snaplen),
        or(o.promiscuous(), promiscuous),
        or(o.bufferSize(), bufferSize),
        or(o.bpfExtra(), bpfExtra),
        or(o.spoolDir(), spoolDir),
        or(o.spoolMaxBytes(), spoolMaxBytes),
        or(o.captureBackend(), captureBackend),
        or(o.policy(), policy),
        or(o.workers(), workers),
        or(o.recordKey(), recordKey));
  }

  boolean live() {
    return !interfaces.isEmpty();
  }

  /** A value out of range, named by its key; checked for the file and again after the flags. */
  Optional<SettingsFile.Problem> problem() {
    if (snaplen < MIN_SNAPLEN_BYTES) {
      return Optional.of(
          new SettingsFile.Problem(
              "snaplen", snaplen + " is below the minimum of " + MIN_SNAPLEN_BYTES + " bytes"));
    }
    if (workers < 1 || workers > MAX_WORKERS) {
      return Optional.of(
          new SettingsFile.Problem("workers", workers + " is not 1 to " + MAX_WORKERS));
    }
    if (bufferSize < 0) {
      return Optional.of(new SettingsFile.Problem("bufferSize", bufferSize + " is negative"));
    }
    if (spoolMaxBytes < Spool.MIN_MAX_BYTES) {
      return Optional.of(
          new SettingsFile.Problem(
              "spoolMaxBytes",
              spoolMaxBytes + " is below the minimum of " + Spool.MIN_MAX_BYTES + " bytes"));
    }
    if (!SettingsFile.isHostPort(metricsAddress)) {
      return Optional.of(
          new SettingsFile.Problem(
              "metricsAddress",
              "\""
                  + metricsAddress
                  + "\" is not HOST:PORT with a port 0-65535, e.g. "
                  + DEFAULT_METRICS_ADDRESS));
    }
    if (agentId != null && agentId.isBlank()) {
      return Optional.of(new SettingsFile.Problem("agentId", "must not be empty"));
    }
    if (bootstrapServers != null && bootstrapServers.isBlank()) {
      return Optional.of(new SettingsFile.Problem("bootstrapServers", "must not be empty"));
    }
    if (interfaces.stream().anyMatch(i -> i == null || i.isBlank())) {
      return Optional.of(new SettingsFile.Problem("interfaces", "an interface name is empty"));
    }
    return Optional.empty();
  }

  private static <T> T or(T given, T fallback) {
    return given != null ? given : fallback;
  }
}
