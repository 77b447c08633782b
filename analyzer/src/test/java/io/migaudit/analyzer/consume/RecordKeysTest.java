package io.migaudit.analyzer.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.record.RecordKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordKeysTest {
  @TempDir Path dir;

  @Test
  void oneKeyFilePerAgentNamedForIt() throws IOException {
    byte[] secret = new byte[40];
    secret[5] = 1;
    key("esx-01.key", secret);
    key("esx-02.key", new byte[32]);
    Files.writeString(dir.resolve("README"), "not a key");
    RecordKeys keys = RecordKeys.load(dir);
    assertThat(keys.agents()).containsExactlyInAnyOrder("esx-01", "esx-02");
    byte[] value = "{\"agent\":\"esx-01\"}".getBytes(StandardCharsets.UTF_8);
    byte[] mac = new RecordKey(secret).sign(value);
    assertThat(keys.refusal("esx-01", value, mac)).isNull();
    assertThat(keys.refusal("esx-02", value, mac).outcome())
        .isEqualTo(AnalyzerMetrics.OUTCOME_BAD_SIGNATURE);
    assertThat(keys.refusal("esx-03", value, mac))
        .isEqualTo(
            new RecordKeys.Refusal(
                AnalyzerMetrics.OUTCOME_BAD_SIGNATURE,
                "a value of agent \"esx-03\", which has no key here"));
    assertThat(keys.refusal("esx-01", value, null).outcome())
        .isEqualTo(AnalyzerMetrics.OUTCOME_UNSIGNED);
  }

  @Test
  void aDirectoryWithoutKeysOrNoDirectoryIsAnError() throws IOException {
    assertThatThrownBy(() -> RecordKeys.load(dir)).hasMessage(dir + ": no AGENT_ID.key file in it");
    assertThatThrownBy(() -> RecordKeys.load(dir.resolve("none")))
        .hasMessage(dir.resolve("none") + ": no such directory");
    Path file = Files.writeString(dir.resolve("plain"), "x");
    assertThatThrownBy(() -> RecordKeys.load(file))
        .hasMessage(file + ": not a directory of AGENT_ID.key files");
  }

  private void key(String name, byte[] secret) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, Base64.getEncoder().encodeToString(secret));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
  }
}
