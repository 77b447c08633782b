package io.migaudit.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.agent.CaptureWorkers;
import io.migaudit.cli.common.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent --config FILE}: values, defaults, and one-line errors naming file, line and key. */
class AgentSettingsLoaderTest {
  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("agent.yaml"), yaml);
  }

  private AgentSettings load(String yaml) throws Exception {
    return AgentSettings.defaults().with(AgentSettingsLoader.load(write(yaml)));
  }

  @Test
  void everyKeyIsRead() throws Exception {
    AgentSettings s =
        load(
            """
        agentId: collector-1
        interfaces: [ens224, ens256]
        bootstrapServers: kafka1:9092
        kafkaConfig: client.properties
        metricsAddress: 0.0.0.0:9500
        snaplen: 1500
        promiscuous: false
        bufferSize: 1048576
        bpfExtra: net 192.168.50.0/24
        policy: policy.yaml
        recordKey: keys/collector-1.key
        """);
    assertThat(s)
        .isEqualTo(
            new AgentSettings(
                "collector-1",
                List.of("ens224", "ens256"),
                List.of(),
                "kafka1:9092",
                dir.toAbsolutePath().resolve("client.properties"),
                "0.0.0.0:9500",
                1500,
                false,
                1048576,
                "net 192.168.50.0/24",
                null,
                AgentSettings.DEFAULT_SPOOL_MAX_BYTES,
                null,
                dir.toAbsolutePath().resolve("policy.yaml"),
                CaptureWorkers.defaultWorkers(),
                dir.toAbsolutePath().resolve("keys/collector-1.key")));
  }

  @Test
  void omittedKeysKeepTheirDefaults() throws Exception {
    AgentSettings s = load("read: captures\n");
    assertThat(s.read()).containsExactly(dir.toAbsolutePath().resolve("captures"));
    assertThat(s)
        .isEqualTo(
            AgentSettings.defaults()
                .with(
                    new AgentSettings.Overrides(
                        null,
                        null,
                        List.of(dir.toAbsolutePath().resolve("captures")),
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
                        null,
                        null)));
    assertThat(s.snaplen()).isEqualTo(262_144);
    assertThat(s.promiscuous()).isTrue();
    assertThat(s.metricsAddress()).isEqualTo("127.0.0.1:9464");
  }

  @Test
  void emptyFileIsAllDefaults() throws Exception {
    assertThat(load("# nothing yet\n")).isEqualTo(AgentSettings.defaults());
  }

  @Test
  void singleInterfaceNeedsNoBrackets() throws Exception {
    assertThat(load("interfaces: any\n").interfaces()).containsExactly("any");
  }

  @Test
  void unknownKeyNamesFileLineAndKey() throws IOException {
    Path f = write("interfaces: [ens224]\nbootstrapServers: kafka1:9092\nbufferSzie: 1024\n");
    assertThatThrownBy(() -> AgentSettingsLoader.load(f))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith(f + ":3: unknown key \"bufferSzie\"")
        .hasMessageContaining("bufferSize")
        .hasMessageNotContaining("\n");
  }

  @Test
  void wrongTypeNamesLineAndKey() throws IOException {
    Path f = write("interfaces: [ens224]\nsnaplen: lots\n");
    assertThatThrownBy(() -> AgentSettingsLoader.load(f))
        .hasMessage(f + ":2: snaplen: \"lots\" is not a whole number");
  }

  @Test
  void badBooleanNamesLineAndKey() throws IOException {
    Path f = write("promiscuous: maybe\n");
    assertThatThrownBy(() -> AgentSettingsLoader.load(f))
        .hasMessage(f + ":1: promiscuous: \"maybe\" is not true or false");
  }

  @Test
  void outOfRangeValueNamesLineAndKey() throws IOException {
    Path f = write("interfaces: [ens224]\n\nsnaplen: 10\n");
    assertThatThrownBy(() -> AgentSettingsLoader.load(f))
        .hasMessage(f + ":3: snaplen: 10 is below the minimum of 64 bytes");
  }

  @Test
  void spoolKeysAreReadAndTheDirectoryIsResolvedAgainstTheFile() throws Exception {
    AgentSettings s = load("read: x.pcap\nspoolDir: spool\nspoolMaxBytes: 10737418240\n");
    assertThat(s.spoolDir()).isEqualTo(dir.toAbsolutePath().resolve("spool"));
    assertThat(s.spoolMaxBytes()).isEqualTo(10L * 1024 * 1024 * 1024);
    assertThat(s.spoolDirFor("a1")).isEqualTo(s.spoolDir());
    Path byDefault = AgentSettings.defaults().spoolDirFor("a1");
    assertThat(byDefault.getFileName().toString()).isEqualTo("spool-a1");
    assertThat(byDefault.getParent().getParent())
        .isEqualTo(AgentSettings.stateHome(System.getenv()));
    assertThat(byDefault.startsWith(Path.of(System.getProperty("java.io.tmpdir")))).isFalse();
  }

  @Test
  void theDefaultSpoolLivesInTheXdgStateHome() {
    assertThat(AgentSettings.stateHome(Map.of("XDG_STATE_HOME", "/srv/state")))
        .isEqualTo(Path.of("/srv/state"));
    // relative or empty: ignored, as the XDG Base Directory spec says
    assertThat(AgentSettings.stateHome(Map.of("XDG_STATE_HOME", "rel")))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".local", "state"));
    assertThat(AgentSettings.stateHome(Map.of()))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".local", "state"));
  }

  @Test
  void aSpoolBoundBelowTheMinimumNamesLineAndKey() throws IOException {
    Path f = write("read: x.pcap\nspoolMaxBytes: 1000\n");
    assertThatThrownBy(() -> AgentSettingsLoader.load(f))
        .hasMessage(f + ":2: spoolMaxBytes: 1000 is below the minimum of 65536 bytes");
  }

  @Test
  void badMetricsAddressNamesLineAndKey() throws IOException {
    Path f = write("metricsAddress: localhost\n");
    assertThatThrownBy(() -> AgentSettingsLoader.load(f))
        .hasMessageStartingWith(f + ":1: metricsAddress: \"localhost\" is not HOST:PORT");
  }

  @Test
  void yamlSyntaxErrorNamesLine() throws IOException {
    Path f = write("interfaces: [ens224\nsnaplen: 100\n");
    assertThatThrownBy(() -> AgentSettingsLoader.load(f))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith(f + ":2: not valid YAML: expected ',' or ']'")
        .hasMessageNotContaining("\n");
  }

  @Test
  void listInsteadOfMappingIsRejected() throws IOException {
    Path f = write("- ens224\n");
    assertThatThrownBy(() -> AgentSettingsLoader.load(f))
        .hasMessage(
            f + ":1: expected a mapping of agent settings (agentId: ..., interfaces: [...], ...)");
  }

  @Test
  void missingFileIsOneLine() {
    Path f = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> AgentSettingsLoader.load(f))
        .isInstanceOf(UserError.class)
        .hasMessage(f + ": no such file");
  }

  @Test
  void exampleConfigInDeployLoads() throws Exception {
    AgentSettings s =
        AgentSettings.defaults()
            .with(AgentSettingsLoader.load(Path.of("..", "deploy", "agent.yaml")));
    assertThat(s.problem()).isEmpty();
    assertThat(s.live()).isTrue();
    assertThat(s.bootstrapServers()).isNotBlank();
  }

  @Test
  void exampleConfigMentionsEveryKey() throws IOException {
    String example = Files.readString(Path.of("..", "deploy", "agent.yaml"));
    for (var component : AgentSettings.class.getRecordComponents()) {
      assertThat(example)
          .as(component.getName())
          .containsPattern("(?m)^#? ?" + component.getName() + ":");
    }
  }
}
