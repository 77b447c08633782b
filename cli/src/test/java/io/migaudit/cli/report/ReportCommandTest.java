package io.migaudit.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.cli.MigauditCommand;
import io.migaudit.record.Alert;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RuleId;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Severity;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code migaudit report} over alert JSON lines built in memory. */
class ReportCommandTest {
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
  private static final List<String> ENC = List.of("NIST SC-8", "DISA ESXI-80-000160");

  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private static int seq;

  private static Alert alert(
      RuleId rule,
      Severity sev,
      String src,
      String dst,
      Instant at,
      List<String> controls,
      String message) {
    String id = "a" + (seq++);
    return new Alert(
        SchemaVersion.CURRENT,
        id,
        rule,
        sev,
        "vmotion",
        src,
        40000,
        dst,
        8000,
        null,
        "agent-1",
        "eth0",
        "f-" + id,
        at.minusSeconds(5),
        at,
        "required",
        Map.of("verdict", "plaintext"),
        message,
        controls,
        null);
  }

  /** 4 alerts over 3 host pairs, newest at T0; one is 2 days older than the rest. */
  private Path sample(String... extraLines) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(
        RecordJson.toLine(
            alert(
                RuleId.UNENCRYPTED_MIGRATION,
                Severity.CRITICAL,
                "192.168.50.11",
                "192.168.50.12",
                T0,
                ENC,
                "vMotion in plaintext")));
    lines.add(
        RecordJson.toLine(
            alert(
                RuleId.UNENCRYPTED_MIGRATION,
                Severity.CRITICAL,
                "192.168.50.11",
                "192.168.50.12",
                T0.minusSeconds(600),
                ENC,
                "vMotion in plaintext")));
    lines.add(
        RecordJson.toLine(
            alert(
                RuleId.UNTRUSTED_DESTINATION,
                Severity.WARNING,
                "192.168.50.12",
                "10.0.0.99",
                T0.minusSeconds(3600),
                List.of("NIST AC-4(21)"),
                "destination not trusted")));
    lines.add(
        RecordJson.toLine(
            alert(
                RuleId.UNENCRYPTED_NFC,
                Severity.WARNING,
                "192.168.50.13",
                "192.168.50.11",
                T0.minusSeconds(2 * 86400),
                List.of("NIST SC-8"),
                "NFC copy in plaintext")));
    lines.addAll(List.of(extraLines));
    Path f = dir.resolve("alerts.jsonl");
    Files.write(f, lines);
    return f;
  }

  @Test
  void countsPerControlAndPerHostPair() throws IOException {
    Result r = run("report", sample().toString());
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.err).isEmpty();
    assertThat(r.out)
        .contains(
            "4 alert(s), 0 migration event(s), 1 agent(s), period 2025-02-27T10:00:00Z .. 2025-03-01T10:00:00Z")
        .contains("3 control(s) with alerts, 3 host pair(s) with alerts")
        .contains(
            "  NIST SC-8: 3 alert(s), 2 host pair(s)\n"
                + "    rules: UNENCRYPTED_MIGRATION 2, UNENCRYPTED_NFC 1\n"
                + "    severities: critical 2, warning 1\n"
                + "    host pairs: 192.168.50.11 -> 192.168.50.12, 192.168.50.13 -> 192.168.50.11\n")
        .contains("  DISA ESXI-80-000160: 2 alert(s), 1 host pair(s)\n")
        .contains("  NIST AC-4(21): 1 alert(s), 1 host pair(s)\n")
        .contains(
            "  192.168.50.11 -> 192.168.50.12: 2 alert(s)\n"
                + "    rules: UNENCRYPTED_MIGRATION 2\n"
                + "    controls: DISA ESXI-80-000160, NIST SC-8\n")
        .contains("  192.168.50.12 -> 10.0.0.99: 1 alert(s)\n");
    // sender -> receiver is kept: the reverse direction is a different pair
    assertThat(r.out).doesNotContain("192.168.50.12 -> 192.168.50.11");
  }

  @Test
  void sinceIsRelativeToTheNewestAlert() throws IOException {
    Result r = run("report", "--since", "24h", sample().toString());
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.out)
        .contains("3 alert(s) of 4 read")
        .contains("window 24h before 2025-03-01T10:00:00Z")
        .doesNotContain("UNENCRYPTED_NFC")
        .doesNotContain("192.168.50.13");

    Result narrow = run("report", "--since", "30m", sample().toString());
    assertThat(narrow.out).contains("2 alert(s) of 4 read").doesNotContain("UNTRUSTED_DESTINATION");

    Result withNow =
        run("report", "--since", "1d", "--now", "2025-02-28T08:00:00Z", sample().toString());
    assertThat(withNow.code).as(withNow.err).isZero();
    assertThat(withNow.out)
        .contains("1 alert(s) of 4 read")
        .contains("UNENCRYPTED_NFC 1")
        .doesNotContain("UNENCRYPTED_MIGRATION");
  }

  @Test
  void malformedLinesAreCountedInOneLine() throws IOException {
    Path f = sample("{not json", "{\"schemaVersion\":99}", "", "[1,2]");
    Result r = run("report", f.toString());
    assertThat(r.code).isZero();
    assertThat(r.err.strip())
        .doesNotContain("\n")
        .startsWith("migaudit: skipped 3 malformed line(s) of 7 (first: " + f + ":5: not JSON");
    assertThat(r.out).contains("4 alert(s), 0 migration event(s)");
  }

  @Test
  void htmlEscapesValuesFromTheNetwork() throws IOException {
    Path f = dir.resolve("evil.jsonl");
    Files.writeString(
        f,
        RecordJson.toLine(
                alert(
                    RuleId.UNTRUSTED_SOURCE,
                    Severity.WARNING,
                    "<img src=x onerror=alert(1)>",
                    "10.0.0.1",
                    T0,
                    List.of("NIST \"AC-4\" & <b>"),
                    "<script>alert('x')</script>\nforged line"))
            + "\n");
    Path page = dir.resolve("report.html");
    Result r = run("report", "--html", page.toString(), f.toString());
    assertThat(r.code).as(r.err).isZero();
    String html = Files.readString(page);
    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<style>")
        .doesNotContain("<script")
        .doesNotContain("<img")
        .doesNotContain("<b>")
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
        .contains("&lt;img src=x onerror=alert(1)&gt; -&gt; 10.0.0.1")
        .contains("NIST &quot;AC-4&quot; &amp; &lt;b&gt;");
    // the text report keeps a network newline from forging a line of its own
    assertThat(r.out)
        .contains("<script>alert('x')</script>\\u000aforged line")
        .doesNotContain("\nforged line");
  }

  @Test
  void missingFileIsOneLineAndExit2() {
    Path nope = dir.resolve("nope.jsonl");
    Result r = run("report", nope.toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip()).isEqualTo("migaudit: " + nope + ": no such file");
    assertThat(r.out).isEmpty();
  }

  @Test
  void badSinceAndNoInputAreUserErrors() throws IOException {
    Result bad = run("report", "--since", "yesterday", sample().toString());
    assertThat(bad.code).isEqualTo(2);
    assertThat(bad.err.strip())
        .isEqualTo("migaudit: --since yesterday: not a duration (e.g. 90m, 24h, 7d, 2w)");
    Result none = run("report");
    assertThat(none.code).isEqualTo(2);
    assertThat(none.err).contains("no input");
    // numbers past what a duration holds are the user's error too, not a failure
    for (String huge :
        new String[] {"99999999999999999999d", "999999999999999w", "2000000000000000d"}) {
      Result r = run("report", "--since", huge, sample().toString());
      assertThat(r.code).isEqualTo(2);
      assertThat(r.err.strip()).isEqualTo("migaudit: --since " + huge + ": too long a duration");
    }
  }

  @Test
  void emptyFileGivesAnEmptyReport() throws IOException {
    Path f = dir.resolve("empty.jsonl");
    Files.writeString(f, "");
    Result r = run("report", "--since", "24h", f.toString());
    assertThat(r.code).isZero();
    assertThat(r.out).contains("0 alert(s)").contains("(none)");
  }

  @Test
  void helpSaysSinceIsNotTheWallClock() {
    Result r = run("report", "--help");
    assertThat(r.code).isZero();
    assertThat(r.out)
        .contains("--since")
        .contains("NOT the wall clock")
        .contains("--html")
        .contains("--bootstrap-servers")
        .contains("--kafka-config")
        .contains("--now");
  }
}
