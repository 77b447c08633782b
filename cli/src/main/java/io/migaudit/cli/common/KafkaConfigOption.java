package io.migaudit.cli.common;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --kafka-config FILE} of every command that talks to Kafka (a picocli mixin); each command
 * names its own {@code --bootstrap-servers}, whose help says what that command does with the
 * cluster.
 */
public final class KafkaConfigOption {
  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description = KafkaClientConfig.OPTION_DESCRIPTION)
  Path file;

  /** The file given, or null. */
  public Path file() {
    return file;
  }

  /** The file's client settings (none without a file), or a one-line user error. */
  public Map<String, String> load() throws UserError {
    return KafkaClientConfig.load(file);
  }
}
