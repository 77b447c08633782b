package io.migaudit.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.source.CaptureBackend;
import io.migaudit.cli.MigauditCommand;
import io.migaudit.cli.common.UserError;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code agent --config}: file values apply, flags override them, bad settings fail before any
 * capture.
 */
class AgentCommandTest {
  @TempDir Path dir;

  private record Result(int code, String err) {}

  private static Result run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err));
    return new Result(cl.execute(args), err.toString());
  }

  private static AgentSettings settings(String... args) throws UserError {
    AgentCommand command = new AgentCommand();
    new CommandLine(command).parseArgs(args);
    return command.settings();
  }

  private Path config(String yaml) throws IOException {
    return Files.writeString(dir.resolve("agent.yaml"), yaml);
  }

  private static final String FILE =
      """
      agentId: collector-1
      interfaces: [ens224]
      bootstrapServers: kafka1:9092
      metricsAddress: 0.0.0.0:9500
      snaplen: 1500
      promiscuous: false
      bufferSize: 1048576
      bpfExtra: net 192.168.50.0/24
      """;

  @Test
  void fileValuesAreUsed() throws Exception {
    AgentSettings s = settings("--config", config(FILE).toString());
    assertThat(s)
        .isEqualTo(
            new AgentSettings(
                "collector-1",
                List.of("ens224"),
                List.of(),
                "kafka1:9092",
                null,
                "0.0.0.0:9500",
                1500,
                false,
                1048576,
                "net 192.168.50.0/24",
                null,
                AgentSettings.DEFAULT_SPOOL_MAX_BYTES,
                null,
                null,
                CaptureWorkers.defaultWorkers(),
                null));
  }

  @Test
  void flagsOverrideTheFile() throws Exception {
    AgentSettings s =
        settings(
            "--config",
            config(FILE).toString(),
            "--interface",
            "br-migration",
            "--interface",
            "bond0.50",
            "--snaplen",
            "9000",
            "--promiscuous",
            "--metrics-address",
            "127.0.0.1:0",
            "--agent-id",
            "collector-2",
            "--bootstrap-servers",
            "kafka2:9092",
            "--policy",
            "/etc/migaudit/policy.yaml",
            "--record-key",
            "/etc/migaudit/collector-2.key");
    assertThat(s)
        .isEqualTo(
            new AgentSettings(
                "collector-2",
                List.of("br-migration", "bond0.50"),
                List.of(),
                "kafka2:9092",
                null,
                "127.0.0.1:0",
                9000,
                true,
                1048576,
                "net 192.168.50.0/24",
                null,
                AgentSettings.DEFAULT_SPOOL_MAX_BYTES,
                null,
                Path.of("/etc/migaudit/policy.yaml"),
                CaptureWorkers.defaultWorkers(),
                Path.of("/etc/migaudit/collector-2.key")));
  }

  @Test
  void negatedFlagOverridesTheFile() throws Exception {
    AgentSettings s =
        settings(
            "--config",
            config("interfaces: [ens224]\nbootstrapServers: k:9092\npromiscuous: true\n")
                .toString(),
            "--no-promiscuous");
    assertThat(s.promiscuous()).isFalse();
  }

  @Test
  void readFlagReplacesTheFilesInterfaces() throws Exception {
    AgentSettings s = settings("--config", config(FILE).toString(), "--read", "x.pcap");
    assertThat(s.live()).isFalse();
    assertThat(s.read()).containsExactly(Path.of("x.pcap"));
  }

  @Test
  void flagsAloneUseTheDefaults() throws Exception {
    AgentSettings s = settings("--bootstrap-servers", "k:9092", "--interface", "eth0");
    assertThat(s)
        .isEqualTo(
            AgentSettings.defaults()
                .with(
                    new AgentSettings.Overrides(
                        null,
                        List.of("eth0"),
                        null,
                        "k:9092",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null)));
  }

  @Test
  void workersFromFileAndFlag() throws Exception {
    assertThat(settings("--config", config(FILE + "workers: 3\n").toString()).workers())
        .isEqualTo(3);
    assertThat(
            settings("--config", config(FILE + "workers: 3\n").toString(), "--workers", "2")
                .workers())
        .isEqualTo(2);
    assertThat(settings("--bootstrap-servers", "k:9092", "--interface", "eth0").workers())
        .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
    assertThatThrownBy(
            () ->
                settings("--bootstrap-servers", "k:9092", "--interface", "eth0", "--workers", "0"))
        .isInstanceOf(UserError.class)
        .hasMessage("--workers: 0 is not 1 to 127");
  }

  @Test
  void captureBackendFromFileAndFlag() throws Exception {
    AgentSettings file =
        settings("--config", config(FILE + "captureBackend: TcpDump\n").toString());
    assertThat(file.captureBackend()).isEqualTo(CaptureBackend.TCPDUMP);
    AgentSettings flag =
        settings(
            "--config",
            config(FILE + "captureBackend: tcpdump\n").toString(),
            "--capture-backend",
            "pcap4j");
    assertThat(flag.captureBackend()).isEqualTo(CaptureBackend.PCAP4J);
    assertThat(settings("--config", config(FILE).toString()).captureBackend())
        .as("automatic")
        .isNull();
  }

  @Test
  void unknownCaptureBackendIsOneLine() throws IOException {
    Result flag =
        run(
            "agent",
            "--bootstrap-servers",
            "k:9092",
            "--interface",
            "eth0",
            "--capture-backend",
            "dpdk");
    assertThat(flag.code).isEqualTo(2);
    assertThat(flag.err)
        .contains("unknown capture backend \"dpdk\" (choose libpcap, tcpdump or pcap4j)");
    Path f = config(FILE + "captureBackend: pfring\n");
    Result file = run("agent", "--config", f.toString());
    assertThat(file.code).isEqualTo(2);
    assertThat(file.err.strip())
        .doesNotContain("\n")
        .isEqualTo(
            "migaudit: "
                + f
                + ":9: captureBackend: unknown capture backend \"pfring\" (choose libpcap, tcpdump or pcap4j)");
  }

  @Test
  void unknownKeyIsOneLineWithFileAndLine() throws IOException {
    Path f = config("interfaces: [ens224]\nbootstrapServers: kafka1:9092\nsnapLength: 1500\n");
    Result r = run("agent", "--config", f.toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .doesNotContain("\n")
        .startsWith("migaudit: " + f + ":3: unknown key \"snapLength\"");
  }

  @Test
  void missingConfigIsOneLine() {
    Result r = run("agent", "--config", dir.resolve("nope.yaml").toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip()).isEqualTo("migaudit: " + dir.resolve("nope.yaml") + ": no such file");
  }

  @Test
  void badFlagValueNamesTheFlag() throws IOException {
    Result r = run("agent", "--config", config(FILE).toString(), "--snaplen", "10");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip()).isEqualTo("migaudit: --snaplen: 10 is below the minimum of 64 bytes");
  }

  @Test
  void bootstrapServersAreRequiredSomewhere() throws IOException {
    Result r = run("agent", "--config", config("interfaces: [ens224]\n").toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .isEqualTo("migaudit: give --bootstrap-servers (or bootstrapServers in --config)");
  }

  @Test
  void captureModeIsRequired() {
    Result r = run("agent", "--bootstrap-servers", "k:9092");
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("give either --interface or --read");
  }

  @Test
  void helpExplainsConfig() {
    StringWriter out = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("agent", "--help")).isZero();
    assertThat(out.toString())
        .contains("--config=FILE")
        .contains("override")
        .contains("127.0.0.1:9464")
        .contains("262144");
  }

  @Test
  void helpExplainsTheSpoolAndSecretReferences() {
    StringWriter out = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("agent", "--help")).isZero();
    assertThat(out.toString())
        .contains("--spool-dir=DIR")
        .contains("--spool-max-bytes=BYTES")
        .contains("1073741824")
        .contains("${env:VAR}")
        .contains("${file:PATH:KEY}")
        .doesNotContain("null");
  }

  @Test
  void spoolFlagsOverrideTheDefaults() throws Exception {
    AgentSettings s =
        settings(
            "--bootstrap-servers",
            "k:9092",
            "--read",
            "x.pcap",
            "--spool-dir",
            "/srv/spool",
            "--spool-max-bytes",
            "2147483648");
    assertThat(s.spoolDir()).isEqualTo(Path.of("/srv/spool"));
    assertThat(s.spoolMaxBytes()).isEqualTo(2L * 1024 * 1024 * 1024);
  }

  @Test
  void aSpoolBoundBelowTheMinimumNamesTheFlag() {
    assertThatThrownBy(
            () ->
                settings(
                    "--bootstrap-servers", "k:9092", "--read", "x.pcap", "--spool-max-bytes", "10"))
        .isInstanceOf(UserError.class)
        .hasMessage("--spool-max-bytes: 10 is below the minimum of 65536 bytes");
  }

  @Test
  void aLiveSnaplenShorterThanAFrameIsWarnedAbout() {
    assertThat(AgentCommand.snaplenWarning(true, 200))
        .startsWith("snaplen 200 keeps only the start of a full-size frame (1514 bytes)")
        .contains("judged unknown");
    assertThat(AgentCommand.snaplenWarning(true, 1514)).isNull();
    assertThat(AgentCommand.snaplenWarning(true, 65535)).isNull();
    assertThat(AgentCommand.snaplenWarning(false, 200)).as("files carry their own").isNull();
  }
}
