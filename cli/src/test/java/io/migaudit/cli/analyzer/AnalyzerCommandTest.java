package io.migaudit.cli.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.cli.MigauditCommand;
import io.migaudit.cli.common.UserError;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code analyzer --config}: file values apply, flags override them, bad settings fail before
 * Kafka.
 */
class AnalyzerCommandTest {
  @TempDir Path dir;

  private record Result(int code, String err) {}

  private static Result run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err));
    return new Result(cl.execute(args), err.toString());
  }

  /**
   * {@code migaudit analyzer} with {@code policy}, a broker nobody answers at, and {@code more}.
   */
  private static Result analyzerWith(Path policy, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "analyzer", "--policy", policy.toString(), "--bootstrap-servers", "127.0.0.1:1"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  private static AnalyzerSettings settings(String... args) throws UserError {
    AnalyzerCommand command = new AnalyzerCommand();
    new CommandLine(command).parseArgs(args);
    return command.settings();
  }

  private Path config(String yaml) throws IOException {
    return Files.writeString(dir.resolve("analyzer.yaml"), yaml);
  }

  private static final String FILE =
      """
      policy: /etc/migaudit/policy.yaml
      bootstrapServers: kafka1:9092
      groupId: analyzers-eu
      alerts: /var/lib/migaudit/alerts.jsonl
      metricsAddress: 0.0.0.0:9500
      policyReload: false
      """;

  @Test
  void fileValuesAreUsed() throws Exception {
    AnalyzerSettings s = settings("--config", config(FILE).toString());
    assertThat(s)
        .isEqualTo(
            new AnalyzerSettings(
                Path.of("/etc/migaudit/policy.yaml"),
                "kafka1:9092",
                null,
                "analyzers-eu",
                Path.of("/var/lib/migaudit/alerts.jsonl"),
                "0.0.0.0:9500",
                false,
                null,
                null));
  }

  @Test
  void flagsOverrideTheFile() throws Exception {
    AnalyzerSettings s =
        settings(
            "--config",
            config(FILE).toString(),
            "--policy",
            "other.yaml",
            "--bootstrap-servers",
            "kafka2:9092",
            "--kafka-config",
            "client.properties",
            "--group-id",
            "g2",
            "--alerts",
            "a.jsonl",
            "--metrics-address",
            "127.0.0.1:0",
            "--policy-reload",
            "--record-keys",
            "/etc/migaudit/record-keys",
            "--record-key",
            "/etc/migaudit/analyzer.key");
    assertThat(s)
        .isEqualTo(
            new AnalyzerSettings(
                Path.of("other.yaml"),
                "kafka2:9092",
                Path.of("client.properties"),
                "g2",
                Path.of("a.jsonl"),
                "127.0.0.1:0",
                true,
                Path.of("/etc/migaudit/record-keys"),
                Path.of("/etc/migaudit/analyzer.key")));
  }

  @Test
  void negatedFlagOverridesTheFile() throws Exception {
    AnalyzerSettings s =
        settings(
            "--config",
            config("policy: p.yaml\npolicyReload: true\n").toString(),
            "--no-policy-reload");
    assertThat(s.policyReload()).isFalse();
  }

  @Test
  void flagsAloneUseTheDefaults() throws Exception {
    AnalyzerSettings s = settings("--policy", "p.yaml", "--bootstrap-servers", "k:9092");
    assertThat(s)
        .isEqualTo(
            new AnalyzerSettings(
                Path.of("p.yaml"),
                "k:9092",
                null,
                "migaudit-analyzer",
                null,
                "127.0.0.1:9465",
                true,
                null,
                null));
  }

  @Test
  void unknownKeyIsOneLineWithFileAndLineAndExitCode2() throws IOException {
    Path f = config("policy: p.yaml\nbootstrapServers: kafka1:9092\npolicyReloads: on\n");
    Result r = run("analyzer", "--config", f.toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .doesNotContain("\n")
        .startsWith("migaudit: " + f + ":3: unknown key \"policyReloads\"");
  }

  /** A key directory that cannot be used stops the start in one line, before Kafka is asked. */
  @Test
  void unusableRecordKeysAreOneLine() throws IOException {
    Path policy = Files.copy(Path.of("..", "samples", "policy.yaml"), dir.resolve("policy.yaml"));
    Path keys = Files.createDirectory(dir.resolve("keys"));
    Path shared = Files.writeString(keys.resolve("esx-01.key"), "A".repeat(44));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
    Result r =
        analyzerWith(
            policy,
            "--state-dir",
            dir.resolve("state").toString(),
            "--record-keys",
            keys.toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .isEqualTo(
            "migaudit: record keys: "
                + shared
                + ": a record key must be readable by its owner only (chmod 600 "
                + shared
                + ")");
  }

  @Test
  void badFlagValueNamesTheFlag() throws IOException {
    Result r = run("analyzer", "--config", config(FILE).toString(), "--metrics-address", "nowhere");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .startsWith("migaudit: --metrics-address: \"nowhere\" is not HOST:PORT");
  }

  @Test
  void policyIsRequiredSomewhere() throws IOException {
    Result r = run("analyzer", "--config", config("bootstrapServers: k:9092\n").toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip()).isEqualTo("migaudit: give --policy (or policy in --config)");
  }

  @Test
  void bootstrapServersAreRequiredSomewhere() throws IOException {
    Path policy = Files.writeString(dir.resolve("policy.yaml"), "encryption: required\n");
    Result r = run("analyzer", "--config", config("policy: policy.yaml\n").toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .isEqualTo(
            "migaudit: give --bootstrap-servers (or bootstrapServers in --config, or"
                + " bootstrap.servers in --kafka-config)");
    assertThat(policy).exists();
  }

  @Test
  void brokenPolicyAtStartIsOneLineNamingItsLine() throws IOException {
    Path policy = Files.writeString(dir.resolve("policy.yaml"), "encryption: sometimes\n");
    Result r = run("analyzer", "--policy", policy.toString(), "--bootstrap-servers", "127.0.0.1:1");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .doesNotContain("\n")
        .startsWith("migaudit: " + policy + ":1: encryption:");
  }

  @Test
  void helpExplainsConfigAndReload() {
    StringWriter out = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("analyzer", "--help")).isZero();
    assertThat(out.toString())
        .contains("--config=FILE")
        .contains("override")
        .contains("127.0.0.1:9465")
        .contains("--[no-]policy-reload")
        .contains("SIGHUP");
  }

  @Test
  void streamThreadsDefaultToOnePerCore() throws Exception {
    KafkaSettings kafka = new KafkaSettings("k:9092", Map.of());
    AnalyzerCommand byDefault = new AnalyzerCommand();
    new CommandLine(byDefault).parseArgs();
    assertThat(byDefault.analyzerConfig(kafka, "g").streamThreads())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    AnalyzerCommand three = new AnalyzerCommand();
    new CommandLine(three).parseArgs("--stream-threads", "3");
    assertThat(three.analyzerConfig(kafka, "g").streamThreads()).isEqualTo(3);
    Path policy = Files.writeString(dir.resolve("policy.yaml"), "encryption: required\n");
    Result r = analyzerWith(policy, "--stream-threads", "-1");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .isEqualTo("migaudit: --stream-threads must be 0 (one per core) or more");
  }
}
