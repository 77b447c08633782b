package io.migaudit.cli.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.cli.MigauditCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The classifier on every sample: each migration flow gets the verdict its expect.yaml gives,
 * within the first 256 KiB of migration payload (issue 3's bound).
 */
class ClassifyReportCommandTest {

  @Test
  void everySampleFlowGetsItsExpectedVerdictWithinTheBudget() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("classify-report", SampleExpectation.SAMPLES.toString());
    String report = out.toString();
    assertThat(code).as(report + err).isZero();
    assertThat(report).doesNotContain("(WRONG)").doesNotContain("EXCEEDED");
    Matcher m =
        Pattern.compile("(\\d+) migration flows, (\\d+) with the expected verdict, 0 not")
            .matcher(report);
    assertThat(m.find()).as(report).isTrue();
    long expectedFlows =
        SampleExpectation.directories()
            .mapToLong(
                d -> {
                  try {
                    return SampleExpectation.read(d).migrationFlows().values().stream()
                        .mapToLong(Integer::longValue)
                        .sum();
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                })
            .sum();
    assertThat(Long.parseLong(m.group(1))).isEqualTo(expectedFlows).isPositive();
    for (StreamCondition c :
        StreamCondition.values()) { // issue 12's conditions each have samples, all right
      Matcher row =
          Pattern.compile(Pattern.quote(c.label()) + "\\s+(\\d+)\\s+(\\d+)\\s+0\\n")
              .matcher(report);
      assertThat(row.find()).as(c.label() + " in\n" + report).isTrue();
      assertThat(Integer.parseInt(row.group(1))).as(c.label()).isPositive();
    }
  }

  @Test
  void missingDirectoryIsOneLine() {
    StringWriter err = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setErr(new PrintWriter(err));
    assertThat(cl.execute("classify-report", "no-such-dir")).isEqualTo(2);
    assertThat(err.toString().strip()).isEqualTo("migaudit: no-such-dir: no such directory");
  }
}
