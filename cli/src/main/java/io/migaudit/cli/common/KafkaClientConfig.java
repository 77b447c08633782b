package io.migaudit.cli.common;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka client settings from a Java properties file ({@code --kafka-config}): TLS, SASL and any
 * other client property pass through unchanged. A file rather than flags keeps passwords off the
 * command line. The file need not hold the secrets either: Kafka's config providers, declared in it
 * ({@code config.providers=env,file,dir} with their classes {@code EnvVarConfigProvider}, {@code
 * FileConfigProvider}, {@code DirectoryConfigProvider}), let a value be {@code ${env:VAR}}, {@code
 * ${file:/etc/migaudit/secrets.properties:key}} or {@code
 * ${dir:/run/credentials/migaudit-agent:kafka-password}}, resolved by the client when it starts.
 * Values are never logged here; the clients log password-type settings as {@code [hidden]}.
 */
public final class KafkaClientConfig {
  /**
   * The help of every command's {@code --kafka-config} ({@code $$} keeps picocli from expanding
   * it).
   */
  public static final String OPTION_DESCRIPTION =
      "Kafka client properties (security.protocol, ssl.*, sasl.*, ...) passed "
          + "through unchanged. Secrets can stay out of it: with config.providers, a value $${env:VAR}, "
          + "$${file:PATH:KEY} or $${dir:DIR:FILE} is read by the Kafka client when it starts.";

  private KafkaClientConfig() {}

  public static Map<String, String> load(Path file) throws UserError {
    if (file == null) {
      return Map.of();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new UserError(file + ": cannot read Kafka client settings: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new UserError(file + ": not a properties file: " + e.getMessage(), e);
    }
    Map<String, String> settings = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k)));
    return settings;
  }
}
