package io.migaudit.cli.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.migaudit.agent.publish.ProducerSettings;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.record.FlowRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code --kafka-config FILE}: secrets stay out of the command line and the logs. Kafka's own
 * config providers ({@code config.providers} in the file) read them from files or the environment
 * when the client starts, and nothing logged while the agent's and the analyzer's clients start
 * carries a secret, even at DEBUG.
 */
class KafkaClientConfigTest {
  private static final String KEYSTORE_SECRET = "ks-SECRET-7f3a19";
  private static final String KEY_SECRET = "key-SECRET-20c4b1";
  private static final String SASL_SECRET = "sasl-SECRET-91bc77";
  private static final String PLAIN_SECRET = "plain-SECRET-55e0d2";

  @TempDir Path dir;

  private Path clientConfig() throws Exception {
    Path secrets =
        Files.writeString(
            dir.resolve("secrets.properties"),
            "keystore.password=" + KEYSTORE_SECRET + "\nsasl.password=" + SASL_SECRET + "\n");
    Path secretDir = Files.createDirectories(dir.resolve("secrets.d"));
    Files.writeString(secretDir.resolve("key-password"), KEY_SECRET);
    return Files.writeString(
        dir.resolve("kafka-client.properties"),
        String.join(
                "\n",
                "config.providers=env,file,dir",
                "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider",
                "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider",
                "config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
                "ssl.keystore.password=${file:" + secrets + ":keystore.password}",
                "ssl.key.password=${dir:" + secretDir + ":key-password}",
                "ssl.truststore.password=${env:MIGAUDIT_TEST_UNSET_VARIABLE_OR_HOME}",
                "sasl.mechanism=PLAIN",
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"agent\""
                    + " password=\"${file:"
                    + secrets
                    + ":sasl.password}\";",
                "some.tool.password=" + PLAIN_SECRET,
                "")
            + "\n");
  }

  @Test
  void secretsAreResolvedFromFilesByTheClientItself() throws Exception {
    Map<String, String> settings = KafkaClientConfig.load(clientConfig());
    assertThat(settings.get(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG))
        .as("the file holds a reference, not the secret")
        .startsWith("${file:");
    ProducerConfig config = new ProducerConfig(ProducerSettings.of("127.0.0.1:1", "t", settings));
    assertThat(config.getPassword(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG).value())
        .isEqualTo(KEYSTORE_SECRET);
    assertThat(config.getPassword(SslConfigs.SSL_KEY_PASSWORD_CONFIG).value())
        .isEqualTo(KEY_SECRET);
    assertThat(config.getPassword("sasl.jaas.config").value())
        .contains("password=\"" + SASL_SECRET + "\"");
  }

  @Test
  void anEnvironmentVariableIsResolved() throws Exception {
    String home = System.getenv("HOME");
    assertThat(home).as("HOME in the test's environment").isNotBlank();
    Path file =
        Files.writeString(
            dir.resolve("env.properties"),
            String.join(
                "\n",
                "config.providers=env",
                "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider",
                "ssl.truststore.password=${env:HOME}",
                ""));
    ProducerConfig config =
        new ProducerConfig(ProducerSettings.of("127.0.0.1:1", "t", KafkaClientConfig.load(file)));
    assertThat(config.getPassword(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG).value())
        .isEqualTo(home);
  }

  @Test
  void noSecretIsLoggedWhileTheClientsStart() throws Exception {
    Map<String, String> settings = KafkaClientConfig.load(clientConfig());
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    Logger kafka = (Logger) LoggerFactory.getLogger("org.apache.kafka");
    Logger migaudit = (Logger) LoggerFactory.getLogger("io.migaudit");
    Level rootLevel = root.getLevel();
    Level kafkaLevel = kafka.getLevel();
    Level migauditLevel = migaudit.getLevel();
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    root.addAppender(log);
    root.setLevel(Level.DEBUG);
    kafka.setLevel(Level.DEBUG);
    migaudit.setLevel(Level.DEBUG);
    try {
      KafkaSettings analyzer = new KafkaSettings("127.0.0.1:1", settings);
      Map<String, Object> consumerProps = analyzer.consumerProperties();
      consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "secrets-test");
      try (KafkaProducer<byte[], FlowRecord> agentProducer =
              new KafkaProducer<>(
                  ProducerSettings.of("127.0.0.1:1", "migaudit-agent-t", settings));
          KafkaProducer<byte[], byte[]> alertProducer =
              new KafkaProducer<>(analyzer.producerProperties());
          KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps)) {
        agentProducer.close(Duration.ZERO);
        alertProducer.close(Duration.ZERO);
      }
    } finally {
      root.detachAppender(log);
      root.setLevel(rootLevel);
      kafka.setLevel(kafkaLevel);
      migaudit.setLevel(migauditLevel);
    }
    List<String> lines =
        log.list.stream()
            .map(
                e ->
                    e.getFormattedMessage()
                        + (e.getThrowableProxy() == null
                            ? ""
                            : ThrowableProxyUtil.asString(e.getThrowableProxy())))
            .toList();
    assertThat(lines).as("log events while the clients start").isNotEmpty();
    assertThat(lines)
        .as("the clients log their configuration")
        .anyMatch(l -> l.contains("ssl.keystore.password"));
    for (String secret : List.of(KEYSTORE_SECRET, KEY_SECRET, SASL_SECRET, PLAIN_SECRET)) {
      assertThat(lines).as("log lines with " + secret).noneMatch(l -> l.contains(secret));
    }
  }

  @Test
  void aMissingFileIsOneLine() {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> KafkaClientConfig.load(missing))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith(missing + ": cannot read Kafka client settings");
  }
}
