package io.migaudit.cli.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.cli.MigauditCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
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
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
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

  /**
   * One test per sample directory, named for it: every migration flow of the sample gets the
   * verdict its expect.yaml gives within the budget, and the sample has as many migration flows as
   * expect.yaml lists.
   */
  @TestFactory
  Stream<DynamicTest> eachSampleGetsItsExpectedVerdicts() throws Exception {
    ClassifyReport report =
        new ClassifyReport(PolicyLoader.load(SampleExpectation.SAMPLES.resolve("policy.yaml")));
    return SampleExpectation.directories()
        .map(
            dir ->
                DynamicTest.dynamicTest(
                    dir.getFileName().toString(), () -> assertClassified(report, dir)));
  }

  private static void assertClassified(ClassifyReport report, Path dir) throws Exception {
    List<ClassifyReport.Row> rows = report.run(dir);
    int expectedFlows =
        SampleExpectation.read(dir).migrationFlows().values().stream()
            .mapToInt(Integer::intValue)
            .sum();
    assertThat(rows).as("migration flows of " + dir).hasSize(expectedFlows);
    for (ClassifyReport.Row r : rows) {
      assertThat(r.got().wire()).as(r.flow() + " (" + r.protocol() + ")").isEqualTo(r.expected());
      assertThat(r.timeline().payloadBytesToVerdict())
          .as(r.flow() + ": payload bytes before the verdict settled")
          .isLessThanOrEqualTo(ClassifyReportCommand.VERDICT_BUDGET_BYTES);
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
