package io.migaudit.cli.agent;

import io.migaudit.agent.source.CaptureBackend;
import io.migaudit.cli.common.SettingsFile;
import io.migaudit.cli.common.UserError;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads {@code migaudit agent --config FILE}: a YAML mapping whose keys are {@link AgentSettings}'
 * components. Unknown keys, values of the wrong type and out-of-range values become a {@link
 * UserError} of one line naming the file, the line and the key ({@link SettingsFile}). Relative
 * paths ({@code read}, {@code kafkaConfig}, {@code spoolDir}, {@code policy}, {@code recordKey})
 * are resolved against the file's directory.
 */
final class AgentSettingsLoader {
  private static final String EXAMPLE = "agentId: ..., interfaces: [...], ...";

  /** The file's shape: paths stay text until they are resolved against the file's directory. */
  private record FileSettings(
      String agentId,
      List<String> interfaces,
      List<String> read,
      String bootstrapServers,
      String kafkaConfig,
      String metricsAddress,
      Integer snaplen,
      Boolean promiscuous,
      Integer bufferSize,
      String bpfExtra,
      String spoolDir,
      Long spoolMaxBytes,
      String captureBackend,
      String policy,
      Integer workers,
      String recordKey) {}

  private AgentSettingsLoader() {}

  /** The settings {@code file} gives; null components are the ones it leaves out. */
  static AgentSettings.Overrides load(Path file) throws UserError {
    SettingsFile f = SettingsFile.read(file, "agent");
    FileSettings s = f.bind(FileSettings.class, EXAMPLE);
    if (s == null) {
      return AgentSettings.Overrides.none();
    }
    AgentSettings.Overrides o =
        new AgentSettings.Overrides(
            s.agentId(),
            s.interfaces(),
            s.read() == null ? null : s.read().stream().map(f::resolve).toList(),
            s.bootstrapServers(),
            f.resolve(s.kafkaConfig()),
            s.metricsAddress(),
            s.snaplen(),
            s.promiscuous(),
            s.bufferSize(),
            s.bpfExtra(),
            f.resolve(s.spoolDir()),
            s.spoolMaxBytes(),
            backend(f, s.captureBackend()),
            f.resolve(s.policy()),
            s.workers(),
            f.resolve(s.recordKey()));
    var problem = AgentSettings.defaults().with(o).problem();
    if (problem.isPresent()) {
      throw f.error(problem.get().key(), problem.get().message());
    }
    return o;
  }

  private static CaptureBackend backend(SettingsFile f, String name) throws UserError {
    try {
      return name == null ? null : CaptureBackend.parse(name);
    } catch (IllegalArgumentException e) {
      throw f.error("captureBackend", e.getMessage());
    }
  }
}
