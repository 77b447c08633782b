package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migaudit.broker.EmbeddedBroker;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.cli.common.KafkaClientConfig;
import io.migaudit.record.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The pipeline over a broker that only lets clients in over TLS with SCRAM-SHA-512: a real KRaft
 * broker with a SASL_SSL listener (certificates made by keytool, the SCRAM user created through the
 * Admin API on the plaintext listener), and {@code migaudit replay --kafka-config} whose client
 * properties take the password from a file through Kafka's FileConfigProvider, so it appears on no
 * command line. A wrong password and a missing truststore are refused in one line, exit code 2. A
 * second listener asks for client certificates instead (mutual TLS, no SASL).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a refused client must fail, not hang
class SecureKafkaIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LISTENER = "SECURE";
  private static final String MTLS_LISTENER = "MTLS";
  private static final String USER = "migaudit-analyzer";
  private static final String MECHANISM = "SCRAM-SHA-512";
  private static final Duration CREDENTIAL_WAIT = Duration.ofSeconds(60);

  private Path dir;
  private TestCertificates certificates;
  private EmbeddedBroker broker;
  private String secureServers;
  private String mtlsServers;
  private final String password = "s3cret-" + Long.toHexString(System.nanoTime());

  @BeforeAll
  void startSecureBroker(@TempDir Path tmp) throws Exception {
    dir = tmp;
    certificates = TestCertificates.create(tmp);
    String prefix = "listener.name." + LISTENER.toLowerCase() + ".";
    Map<String, String> settings = new HashMap<>();
    settings.put(
        "listeners",
        EmbeddedBroker.PLAINTEXT_LISTENER
            + "://localhost:0,"
            + EmbeddedBroker.CONTROLLER_LISTENER
            + "://localhost:0,"
            + LISTENER
            + "://localhost:0,"
            + MTLS_LISTENER
            + "://localhost:0");
    settings.put(
        "listener.security.protocol.map",
        EmbeddedBroker.PLAINTEXT_LISTENER
            + ":PLAINTEXT,"
            + EmbeddedBroker.CONTROLLER_LISTENER
            + ":PLAINTEXT,"
            + LISTENER
            + ":SASL_SSL,"
            + MTLS_LISTENER
            + ":SSL");
    String mtls = "listener.name." + MTLS_LISTENER.toLowerCase() + ".";
    settings.put(mtls + "ssl.client.auth", "required");
    settings.put(mtls + "ssl.keystore.type", "PKCS12");
    settings.put(mtls + "ssl.keystore.location", certificates.serverKeystore().toString());
    settings.put(mtls + "ssl.keystore.password", certificates.password());
    settings.put(mtls + "ssl.key.password", certificates.password());
    settings.put(mtls + "ssl.truststore.type", "PKCS12");
    settings.put(mtls + "ssl.truststore.location", certificates.truststore().toString());
    settings.put(mtls + "ssl.truststore.password", certificates.password());
    settings.put(prefix + "sasl.enabled.mechanisms", MECHANISM);
    settings.put(
        prefix + MECHANISM.toLowerCase() + ".sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    settings.put(prefix + "ssl.keystore.type", "PKCS12");
    settings.put(prefix + "ssl.keystore.location", certificates.serverKeystore().toString());
    settings.put(prefix + "ssl.keystore.password", certificates.password());
    settings.put(prefix + "ssl.key.password", certificates.password());
    broker = EmbeddedBroker.start(settings);
    broker.createTopics(List.of(Topics.FLOWS, Topics.ALERTS, Topics.MIGRATIONS), 3);
    try (Admin admin = broker.admin()) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      USER, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
          .all()
          .get();
    }
    secureServers = broker.bootstrapServers(LISTENER);
    mtlsServers = broker.bootstrapServers(MTLS_LISTENER);
    awaitCredentialOnBroker();
  }

  @AfterAll
  void stopBroker() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * The controller accepted the user; wait until the broker, too, lets it in over the secure
   * listener.
   */
  private void awaitCredentialOnBroker() throws Exception {
    Map<String, Object> client =
        new HashMap<>(
            Map.copyOf(KafkaClientConfig.load(clientProperties("ready", password, true))));
    client.put("bootstrap.servers", secureServers);
    long deadline = System.nanoTime() + CREDENTIAL_WAIT.toNanos();
    while (true) {
      try (Admin admin = Admin.create(client)) {
        admin.describeCluster().clusterId().get();
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof SaslAuthenticationException)
            || System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  /**
   * Client settings as a user writes them: the password lives in a separate file read by Kafka's
   * FileConfigProvider (an EnvVarConfigProvider works the same way with {@code ${env:NAME}}).
   */
  private Path clientProperties(String name, String userPassword, boolean withTruststore)
      throws Exception {
    Path secret = dir.resolve(name + "-secret.properties");
    Files.writeString(
        secret,
        "password=" + userPassword + "\ntruststore.password=" + certificates.password() + "\n");
    String ref = "${file:" + secret + ":";
    StringBuilder p =
        new StringBuilder()
            .append("security.protocol=SASL_SSL\n")
            .append("sasl.mechanism=")
            .append(MECHANISM)
            .append('\n')
            .append(
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"")
            .append(USER)
            .append("\" password=\"")
            .append(ref)
            .append("password}\";\n")
            .append("config.providers=file\n")
            .append(
                "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n");
    if (withTruststore) {
      p.append("ssl.truststore.type=PKCS12\n")
          .append("ssl.truststore.location=")
          .append(certificates.truststore())
          .append('\n')
          .append("ssl.truststore.password=")
          .append(ref)
          .append("truststore.password}\n");
    }
    Path file = dir.resolve(name + ".properties");
    Files.writeString(file, p.toString());
    assertThat(Files.readString(file)).doesNotContain(userPassword);
    return file;
  }

  private record Run(int exitCode, String out, String err, List<String> args) {}

  private Run replay(Path kafkaConfig, Path alerts) {
    return replay(secureServers, kafkaConfig, alerts);
  }

  private Run replay(String servers, Path kafkaConfig, Path alerts) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    List<String> args =
        List.of(
            "replay",
            "--bootstrap-servers",
            servers,
            "--kafka-config",
            kafkaConfig.toString(),
            "--alerts",
            alerts.toString(),
            "--timeout",
            "120",
            SampleExpectation.SAMPLES.toString());
    int code = cl.execute(args.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString(), args);
  }

  /**
   * Mutual TLS: the client's certificate is its identity; key and store passwords come from a file.
   */
  private Path mtlsProperties(String name, boolean withKeystore) throws Exception {
    Path secret = dir.resolve(name + "-secret.properties");
    Files.writeString(secret, "store.password=" + certificates.password() + "\n");
    String ref = "${file:" + secret + ":store.password}";
    StringBuilder p =
        new StringBuilder()
            .append("security.protocol=SSL\n")
            .append("ssl.truststore.type=PKCS12\n")
            .append("ssl.truststore.location=")
            .append(certificates.truststore())
            .append('\n')
            .append("ssl.truststore.password=")
            .append(ref)
            .append('\n')
            .append("config.providers=file\n")
            .append(
                "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n");
    if (withKeystore) {
      p.append("ssl.keystore.type=PKCS12\n")
          .append("ssl.keystore.location=")
          .append(certificates.clientKeystore())
          .append('\n')
          .append("ssl.keystore.password=")
          .append(ref)
          .append('\n')
          .append("ssl.key.password=")
          .append(ref)
          .append('\n');
    }
    Path file = dir.resolve(name + ".properties");
    Files.writeString(file, p.toString());
    return file;
  }

  @Test
  void pipelineOverTlsAndScramGivesEverySampleExactlyItsAlerts() throws Exception {
    Path alertsFile = dir.resolve("alerts.jsonl");
    Map<TopicPartition, Long> before = alertsEnd();
    Run run = replay(clientProperties("good", password, true), alertsFile);
    assertThat(run.exitCode()).as("replay over SASL_SSL; stderr: " + run.err()).isZero();
    assertThat(String.join(" ", run.args())).doesNotContain(password);
    assertThat(run.out() + run.err()).doesNotContain(password);
    Set<String> fileIds = assertEverySampleGaveItsAlerts(alertsFile);
    assertThat(alertIdsOnTheBroker(before))
        .as("alerts the analyzer published over SASL_SSL")
        .containsExactlyInAnyOrderElementsOf(fileIds);
  }

  @Test
  void pipelineOverMutualTlsGivesEverySampleExactlyItsAlerts() throws Exception {
    Path alertsFile = dir.resolve("mtls-alerts.jsonl");
    Run run = replay(mtlsServers, mtlsProperties("mtls", true), alertsFile);
    assertThat(run.exitCode()).as("replay over mutual TLS; stderr: " + run.err()).isZero();
    assertThat(String.join(" ", run.args()) + run.out() + run.err())
        .doesNotContain(certificates.password());
    assertEverySampleGaveItsAlerts(alertsFile);
  }

  @Test
  void clientWithoutCertificateIsRefusedInOneLine() throws Exception {
    Run run = replay(mtlsServers, mtlsProperties("no-cert", false), dir.resolve("no-cert.jsonl"));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(UserErrorHandler.USER_ERROR);
    assertThat(run.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("migaudit: Kafka TLS handshake failed")
        .contains("ssl.keystore");
  }

  /** Checks each sample's alerts in the file; returns their ids, each once. */
  private Set<String> assertEverySampleGaveItsAlerts(Path alertsFile) throws Exception {
    List<JsonNode> alerts = new ArrayList<>();
    for (String line : Files.readAllLines(alertsFile)) {
      alerts.add(JSON.readTree(line));
    }
    for (Path sample : SampleExpectation.directories().toList()) {
      SampleExpectation expected = SampleExpectation.read(sample);
      Map<String, Integer> actual = new TreeMap<>();
      alerts.stream()
          .filter(a -> sampleOf(a).equals(expected.name()))
          .forEach(
              a ->
                  actual.merge(
                      a.get("rule").asText() + " " + a.get("severity").asText(), 1, Integer::sum));
      assertThat(actual).as("alerts of " + expected.name()).isEqualTo(expected.alerts());
    }
    Set<String> fileIds = new HashSet<>();
    alerts.forEach(a -> fileIds.add(a.get("alertId").asText()));
    assertThat(fileIds).hasSameSizeAs(alerts).isNotEmpty();
    return fileIds;
  }

  @Test
  void wrongPasswordIsRefusedInOneLine() throws Exception {
    Run run =
        replay(clientProperties("wrong", password + "-not", true), dir.resolve("wrong.jsonl"));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(UserErrorHandler.USER_ERROR);
    assertThat(run.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("migaudit: Kafka refused SASL authentication")
        .contains("invalid credentials", MECHANISM, "sasl.jaas.config");
    assertThat(run.err()).doesNotContain(password);
  }

  @Test
  void brokerCertificateNotTrustedIsRefusedInOneLine() throws Exception {
    Run run =
        replay(clientProperties("untrusted", password, false), dir.resolve("untrusted.jsonl"));
    assertThat(run.exitCode()).as(run.err()).isEqualTo(UserErrorHandler.USER_ERROR);
    assertThat(run.err().lines().toList())
        .singleElement()
        .asString()
        .startsWith("migaudit: Kafka TLS handshake failed")
        .contains("ssl.truststore");
  }

  private Map<String, Object> plaintextConsumer() {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        broker.bootstrapServers(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        ByteArrayDeserializer.class.getName(),
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        ByteArrayDeserializer.class.getName());
  }

  /** The current end offsets of migaudit.alerts. */
  private Map<TopicPartition, Long> alertsEnd() {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(plaintextConsumer())) {
      return c.endOffsets(
          c.partitionsFor(Topics.ALERTS).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList());
    }
  }

  /**
   * The ids of the alerts on migaudit.alerts after {@code from}, read over the plaintext listener.
   */
  private List<String> alertIdsOnTheBroker(Map<TopicPartition, Long> from) throws Exception {
    List<String> ids = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(plaintextConsumer())) {
      List<TopicPartition> partitions = List.copyOf(from.keySet());
      c.assign(partitions);
      from.forEach(c::seek);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime())
            .as("reading " + Topics.ALERTS + " to its end")
            .isLessThan(deadline);
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          ids.add(JSON.readTree(r.value()).get("alertId").asText());
        }
      }
    }
    return ids;
  }

  private static String sampleOf(JsonNode alert) {
    return Path.of(alert.get("interface").asText()).getParent().getFileName().toString();
  }
}
