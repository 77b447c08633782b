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
}
