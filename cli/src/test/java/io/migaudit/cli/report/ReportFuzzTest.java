package io.migaudit.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Coverage-guided fuzzing (Jazzer) of the compliance report: its input is what sits on {@code
 * migaudit.alerts}, {@code migaudit.migrations} and {@code migaudit.flows}, which anyone who may
 * write there controls, and a report that fails is an audit without evidence. Whatever the lines,
 * with or without a {@code --since} window, the report is made and rendered as text, HTML and OCSF
 * without an exception; the HTML never holds a tag the input wrote; every input line is counted
 * once. Seeds: {@code src/test/resources/io/migaudit/cli/report/ReportFuzzTestInputs/} ({@code
 * tools/fuzz/seeds.sh}). Runs in its own surefire execution; see the analyzer's {@code
 * FlowRecordFuzzTest} for {@code JAZZER_FUZZ}.
 */
class ReportFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void anyLinesMakeAReport(FuzzedDataProvider data) {
    // any window --since can give: 0 to Long.MAX_VALUE seconds (abs() of Long.MIN_VALUE overflows,
    // and Jazzer's consumeLong(0, Long.MAX_VALUE) returned Long.MIN_VALUE)
    Duration window =
        data.consumeBoolean() ? Duration.ofSeconds(data.consumeLong() & Long.MAX_VALUE) : null;
    boolean flowsTopic = data.consumeBoolean();
    String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
    ReportInput in = new ReportInput();
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      byte[] line = lines[i].getBytes(StandardCharsets.UTF_8);
      if (flowsTopic) {
        in.addFlowTopicRecord(line, "line " + (i + 1));
      } else {
        in.add(line, "line " + (i + 1));
      }
    }
    ComplianceReport r = ComplianceReport.of(in, window, null);
    assertThat(ReportText.render(r)).startsWith("migaudit compliance report");
    assertThat(ReportHtml.render(r)).doesNotContain("<script", "<img", "<iframe");
    assertThat(ReportOcsf.lines(r)).isNotNull();
  }
}
