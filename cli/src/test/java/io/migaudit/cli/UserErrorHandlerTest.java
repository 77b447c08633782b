package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Errors are one line, with a stack trace only under the {@code --verbose} of the command that ran
 * (declared on the command, as replay's, or by the shared mixin), nested commands included.
 */
class UserErrorHandlerTest {
  private static final String TRACE = "\tat io.migaudit.cli.";

  @TempDir Path dir;

  private record Result(int code, String err) {}

  private static Result run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err));
    return new Result(cl.execute(args), err.toString());
  }

  @Test
  void oneLineWithoutVerbose() {
    Result r = run("agent", "--config", dir.resolve("missing.yaml").toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip()).startsWith("migaudit: ").doesNotContain("\n");
  }

  @Test
  void traceWithTheMixinsVerbose() {
    Result r = run("agent", "--verbose", "--config", dir.resolve("missing.yaml").toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains(TRACE).contains("migaudit: ");
  }

  @Test
  void traceWithTheVerboseOfANestedCommand() {
    Result r = run("policy", "suggest", "--verbose", dir.resolve("missing.pcap").toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains(TRACE);
    Result quiet = run("policy", "suggest", dir.resolve("missing.pcap").toString());
    assertThat(quiet.err).doesNotContain(TRACE);
  }

  @Test
  void traceWithReplaysOwnVerbose() {
    Result r = run("replay", "--verbose", dir.resolve("missing.pcap").toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains(TRACE);
  }
}
