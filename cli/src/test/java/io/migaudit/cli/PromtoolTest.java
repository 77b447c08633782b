package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Prometheus files pass Debian's {@code promtool}: the rules check, the rules' unit
 * tests ({@code migaudit-rules.test.yml}) and the example configuration. Skipped without promtool
 * locally, failed without it on CI.
 */
class PromtoolTest {
  private static final long TIMEOUT_SECONDS = 60;
  private static Path promtool;
  private static final Path DIR =
      DashboardExpressions.RULES.getParent().toAbsolutePath().normalize();

  @BeforeAll
  static void findPromtool() {
    promtool = PrometheusBinaries.require("promtool");
  }

  private static PrometheusBinaries.Result promtool(Path dir, String... args) throws Exception {
    return PrometheusBinaries.run(
        dir, TIMEOUT_SECONDS, PrometheusBinaries.command(promtool, args).toArray(String[]::new));
  }

  @Test
  void rulesPassPromtoolCheck() throws Exception {
    PrometheusBinaries.Result r = promtool(DIR, "check", "rules", "migaudit-rules.yml");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output())
        .contains("SUCCESS: " + DashboardExpressions.rules().size() + " rules found");
  }

  @Test
  void rulesPassTheirUnitTests() throws Exception {
    PrometheusBinaries.Result r = promtool(DIR, "test", "rules", "migaudit-rules.test.yml");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void exampleConfigurationIsValidAndLoadsTheRules() throws Exception {
    PrometheusBinaries.Result r = promtool(DIR, "check", "config", "prometheus.yml");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).contains("1 rule files found");
  }

  /**
   * The checks above can fail: a rule unit test that expects the wrong thing makes promtool exit
   * non-zero.
   */
  @Test
  void aWrongExpectationFailsTheRuleUnitTests(@TempDir Path dir) throws Exception {
    Files.copy(DIR.resolve("migaudit-rules.yml"), dir.resolve("migaudit-rules.yml"));
    String tests =
        Files.readString(DIR.resolve("migaudit-rules.test.yml"))
            .replace(
                "{instance: \"an2:9465\", severity: warning,",
                "{instance: \"an2:9465\", severity: critical,");
    assertThat(tests).isNotEqualTo(Files.readString(DIR.resolve("migaudit-rules.test.yml")));
    Files.writeString(dir.resolve("migaudit-rules.test.yml"), tests);
    PrometheusBinaries.Result r = promtool(dir, "test", "rules", "migaudit-rules.test.yml");
    assertThat(r.exitCode()).as(r.output()).isNotZero();
    assertThat(r.output()).contains("FAILED").contains("MigauditUnencryptedMigration");
  }
}
