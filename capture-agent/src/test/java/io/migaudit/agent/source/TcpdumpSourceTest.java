package io.migaudit.agent.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.testsupport.CiGate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The tcpdump child's command line, and a failing start reported in tcpdump's own words. */
class TcpdumpSourceTest {

  @Test
  void commandStreamsPcapWithTheOptions() {
    LiveCaptureOptions options =
        new LiveCaptureOptions(1500, false, 8 << 20, false, Duration.ofMillis(50), "tcp port 8000");
    assertThat(TcpdumpSource.command(Path.of("/usr/bin/tcpdump"), "ens224", options))
        .containsExactly(
            "/usr/bin/tcpdump",
            "-i",
            "ens224",
            "-w",
            "-",
            "-U",
            "-n",
            "-s",
            "1500",
            "--time-stamp-precision=micro",
            "-B",
            "8192",
            "--immediate-mode",
            "-p",
            "tcp port 8000");
  }

  @Test
  void noFilterAndDefaultBufferLeaveTheirFlagsOut() {
    LiveCaptureOptions options =
        new LiveCaptureOptions(65535, true, 0, true, Duration.ofMillis(50), null);
    assertThat(TcpdumpSource.command(Path.of("tcpdump"), "any", options))
        .doesNotContain("-B", "-p")
        .endsWith("--immediate-mode");
  }

  @Test
  void missingInterfaceIsTcpdumpsOneLine() {
    CiGate.requireNoProblem(TcpdumpSource.unavailable());
    assertThatThrownBy(
            () -> TcpdumpSource.open("ma-no-such-if0", LiveCaptureOptions.defaults(null)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("ma-no-such-if0: tcpdump did not start: ")
        .hasMessageContaining("ma-no-such-if0")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
