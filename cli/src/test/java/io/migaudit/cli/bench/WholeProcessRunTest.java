package io.migaudit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The fresh JVM of the bench's whole-process row runs as a fresh agent would. */
class WholeProcessRunTest {
  @Test
  void childKeepsTheAgentsOptionsButNotTheBenchsFixedHeapNorARecording() {
    List<String> bench =
        List.of(
            "-Xmn512m",
            "-Xms2g",
            "-XX:+AlwaysPreTouch",
            "-XX:SharedArchiveFile=/x/classes.jsa",
            "-Xlog:cds=off",
            "-XX:StartFlightRecording=filename=rec.jfr",
            "-agentlib:jdwp=transport=dt_socket",
            "-Dlogback.configurationFile=logback-json.xml");
    assertThat(WholeProcessRun.childOptions(bench))
        .containsExactly(
            "-Xmn512m",
            "-XX:SharedArchiveFile=/x/classes.jsa",
            "-Xlog:cds=off",
            "-Dlogback.configurationFile=logback-json.xml");
  }

  @Test
  void theRowSaysWhenTheChildRanWithAnAotCache() {
    assertThat(
            WholeProcessRun.cacheNote(
                List.of("-Xmn512m", "-XX:AOTCache=/var/cache/migaudit/migaudit.aot")))
        .isEqualTo("; the JDK's AOT cache");
    assertThat(WholeProcessRun.cacheNote(List.of("-XX:SharedArchiveFile=/x/classes.jsa")))
        .isEmpty();
    assertThat(WholeProcessRun.cacheNote()).as("this test JVM has none").isEmpty();
  }

  @Test
  void theChildsLastLineSaysWhereItsTimeWent() {
    WholeProcessRun.Breakdown b = new WholeProcessRun.Breakdown(612, 2890, 3924);
    assertThat(WholeProcessRun.Breakdown.parse(b.line())).contains(b);
    assertThat(b.describe()).isEqualTo("start-up 0.61 s, the pass 2.89 s, JIT compiling 3.92 s");
    WholeProcessRun.Breakdown unknown = new WholeProcessRun.Breakdown(612, 2890, -1);
    assertThat(WholeProcessRun.Breakdown.parse(unknown.line())).contains(unknown);
    assertThat(unknown.describe()).isEqualTo("start-up 0.61 s, the pass 2.89 s");
    assertThat(WholeProcessRun.Breakdown.parse("tcpdump: 2000000 packets")).isEmpty();
    assertThat(WholeProcessRun.Breakdown.parse("")).isEmpty();
  }

  @Test
  void thisJvmsBreakdownCountsItsJitCompilation() {
    WholeProcessRun.Breakdown b = WholeProcessRun.Breakdown.of(100, 2_500_000_000L);
    assertThat(b.passMillis()).isEqualTo(2500);
    assertThat(b.jitMillis()).as("a JVM that ran tests has compiled methods").isPositive();
  }
}
