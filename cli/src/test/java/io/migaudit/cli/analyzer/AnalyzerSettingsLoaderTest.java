package io.migaudit.cli.analyzer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.cli.common.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyzer --config FILE}: values, defaults, and one-line errors naming file, line and key.
 */
class AnalyzerSettingsLoaderTest {
  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    return Files.writeString(dir.resolve("analyzer.yaml"), yaml);
  }

  private AnalyzerSettings load(String yaml) throws Exception {
    return AnalyzerSettings.defaults().with(AnalyzerSettingsLoader.load(write(yaml)));
  }

  @Test
  void everyKeyIsReadAndPathsAreRelativeToTheFile() throws Exception {
    AnalyzerSettings s =
        load(
            """
        policy: policy.yaml
        bootstrapServers: kafka1:9092
        kafkaConfig: /etc/migaudit/client.properties
        groupId: analyzers-eu
        alerts: ../alerts.jsonl
        metricsAddress: 0.0.0.0:9500
        policyReload: false
        recordKeys: record-keys
        recordKey: analyzer.key
        """);
    Path abs = dir.toAbsolutePath();
    assertThat(s)
        .isEqualTo(
            new AnalyzerSettings(
                abs.resolve("policy.yaml"),
                "kafka1:9092",
                Path.of("/etc/migaudit/client.properties"),
                "analyzers-eu",
                abs.resolve("../alerts.jsonl"),
                "0.0.0.0:9500",
                false,
                abs.resolve("record-keys"),
                abs.resolve("analyzer.key")));
  }

  @Test
  void omittedKeysKeepTheirDefaults() throws Exception {
    AnalyzerSettings s = load("policy: /etc/migaudit/policy.yaml\n");
    assertThat(s.groupId()).isEqualTo("migaudit-analyzer");
    assertThat(s.metricsAddress()).isEqualTo("127.0.0.1:9465");
    assertThat(s.policyReload()).isTrue();
    assertThat(s.alerts()).isNull();
    assertThat(s.bootstrapServers()).isNull();
  }

  @Test
  void emptyFileIsAllDefaults() throws Exception {
    assertThat(load("# nothing yet\n")).isEqualTo(AnalyzerSettings.defaults());
  }

  @Test
  void policyReloadTakesOnAndOff() throws Exception {
    assertThat(load("policyReload: off\n").policyReload()).isFalse();
    assertThat(load("policyReload: on\n").policyReload()).isTrue();
  }

  @Test
  void unknownKeyNamesFileLineAndKey() throws IOException {
    Path f = write("policy: p.yaml\n# the group\ngroupID: eu\n");
    assertThatThrownBy(() -> AnalyzerSettingsLoader.load(f))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith(f + ":3: unknown key \"groupID\"")
        .hasMessageContaining("groupId")
        .hasMessageNotContaining("\n");
  }

  @Test
  void listForATextKeyNamesLineAndKey() throws IOException {
    Path f = write("policy: p.yaml\nalerts: [a.jsonl]\n");
    assertThatThrownBy(() -> AnalyzerSettingsLoader.load(f))
        .hasMessage(f + ":2: alerts: expected a string");
  }

  @Test
  void badBooleanNamesLineAndKey() throws IOException {
    Path f = write("policy: p.yaml\npolicyReload: sometimes\n");
    assertThatThrownBy(() -> AnalyzerSettingsLoader.load(f))
        .hasMessage(f + ":2: policyReload: \"sometimes\" is not true or false");
  }

  @Test
  void badMetricsAddressNamesLineAndKey() throws IOException {
    Path f = write("\nmetricsAddress: 9465\n");
    assertThatThrownBy(() -> AnalyzerSettingsLoader.load(f))
        .hasMessageStartingWith(f + ":2: metricsAddress: \"9465\" is not HOST:PORT");
  }

  @Test
  void emptyGroupNamesLineAndKey() throws IOException {
    Path f = write("policy: p.yaml\ngroupId: \"\"\n");
    assertThatThrownBy(() -> AnalyzerSettingsLoader.load(f))
        .hasMessage(f + ":2: groupId: must not be empty");
  }

  @Test
  void listInsteadOfMappingIsRejected() throws IOException {
    Path f = write("- policy.yaml\n");
    assertThatThrownBy(() -> AnalyzerSettingsLoader.load(f))
        .hasMessage(
            f
                + ":1: expected a mapping of analyzer settings (policy: ..., bootstrapServers: ..., ...)");
  }

  @Test
  void yamlSyntaxErrorNamesLine() throws IOException {
    Path f = write("policy: p.yaml\ngroupId: eu\n  alerts: a.jsonl\n");
    assertThatThrownBy(() -> AnalyzerSettingsLoader.load(f))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith(f + ":3: not valid YAML")
        .hasMessageNotContaining("\n");
  }

  @Test
  void exampleConfigInDeployLoadsAndNamesTheSamePolicyAsTheUnit() throws Exception {
    AnalyzerSettings s =
        AnalyzerSettings.defaults()
            .with(AnalyzerSettingsLoader.load(Path.of("..", "deploy", "analyzer.yaml")));
    assertThat(s.problem()).isEmpty();
    assertThat(s.policy()).isEqualTo(Path.of("/etc/migaudit/policy.yaml"));
    assertThat(s.bootstrapServers()).isNotBlank();
    assertThat(s.policyReload()).isTrue();
    // the policy the unit points at is a policy like the samples'
    assertThat(PolicyLoader.load(Path.of("..", "samples", "policy.yaml")).zones()).isNotEmpty();
  }

  @Test
  void exampleConfigMentionsEveryKey() throws IOException {
    String example = Files.readString(Path.of("..", "deploy", "analyzer.yaml"));
    for (var component : AnalyzerSettings.class.getRecordComponents()) {
      assertThat(example)
          .as(component.getName())
          .containsPattern("(?m)^#? ?" + component.getName() + ":");
    }
  }

  @Test
  void systemdUnitRunsWithTheConfigAndReloadsWithSighup() throws IOException {
    String unit = Files.readString(Path.of("..", "deploy", "migaudit-analyzer.service"));
    assertThat(unit)
        .contains(
            "ExecStart=/usr/bin/migaudit analyzer --config /etc/migaudit/analyzer.yaml"
                + " --state-dir /var/lib/migaudit/analyzer\n")
        .contains("ExecReload=/bin/kill -HUP $MAINPID\n");
  }
}
