package io.migaudit.cli.analyzer;

import io.migaudit.cli.common.SettingsFile;
import io.migaudit.cli.common.UserError;
import java.nio.file.Path;

/**
 * Reads {@code migaudit analyzer --config FILE}: a YAML mapping whose keys are {@link
 * AnalyzerSettings}' components. Unknown keys, values of the wrong type and out-of-range values
 * become a {@link UserError} of one line naming the file, the line and the key ({@link
 * SettingsFile}). Relative paths ({@code policy}, {@code kafkaConfig}, {@code alerts}, {@code
 * recordKeys}, {@code recordKey}) are resolved against the file's directory.
 */
final class AnalyzerSettingsLoader {
  private static final String EXAMPLE = "policy: ..., bootstrapServers: ..., ...";

  /** The file's shape: paths stay text until they are resolved against the file's directory. */
  private record FileSettings(
      String policy,
      String bootstrapServers,
      String kafkaConfig,
      String groupId,
      String alerts,
      String metricsAddress,
      Boolean policyReload,
      String recordKeys,
      String recordKey) {}

  private AnalyzerSettingsLoader() {}

  /** The settings {@code file} gives; null components are the ones it leaves out. */
  static AnalyzerSettings.Overrides load(Path file) throws UserError {
    SettingsFile f = SettingsFile.read(file, "analyzer");
    FileSettings s = f.bind(FileSettings.class, EXAMPLE);
    if (s == null) {
      return AnalyzerSettings.Overrides.none();
    }
    AnalyzerSettings.Overrides o =
        new AnalyzerSettings.Overrides(
            f.resolve(s.policy()),
            s.bootstrapServers(),
            f.resolve(s.kafkaConfig()),
            s.groupId(),
            f.resolve(s.alerts()),
            s.metricsAddress(),
            s.policyReload(),
            f.resolve(s.recordKeys()),
            f.resolve(s.recordKey()));
    var problem = AnalyzerSettings.defaults().with(o).problem();
    if (problem.isPresent()) {
      throw f.error(problem.get().key(), problem.get().message());
    }
    return o;
  }
}
