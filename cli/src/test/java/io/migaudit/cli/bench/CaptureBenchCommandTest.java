package io.migaudit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.source.LibpcapSource;
import io.migaudit.agent.source.TcpdumpSource;
import io.migaudit.cli.MigauditCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The capture benchmark runs end to end on a sample; it asserts what each backend read, never a
 * speed.
 */
class CaptureBenchCommandTest {
  /** Frames in samples/vmotion-plaintext/capture.pcap. */
  private static final int SAMPLE_FRAMES = 121;

  @Test
  void everyBackendReadsEveryFrameOfTheFile() {
    StringWriter out = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    int code =
        cl.execute("bench-capture", "--runs", "1", "../samples/vmotion-plaintext/capture.pcap");
    assertThat(code).isZero();
    String text = out.toString();
    assertThat(text)
        .containsPattern(
            "pure-Java file reader .* +\\d+\\.\\d\\d M +\\d+\\.\\d +\\("
                + SAMPLE_FRAMES
                + " packets\\)");
    if (LibpcapSource.unavailable() == null) {
      assertThat(text)
          .containsPattern(
              "libpcap backend .* +\\d+\\.\\d\\d M +\\d+\\.\\d +\\("
                  + SAMPLE_FRAMES
                  + " packets\\)");
      assertThat(text)
          .containsPattern(
              "pcap4j backend .* +\\d+\\.\\d\\d M +\\d+\\.\\d +\\("
                  + SAMPLE_FRAMES
                  + " packets\\)");
    }
    if (TcpdumpSource.unavailable() == null) {
      assertThat(text)
          .containsPattern(
              "tcpdump backend .* +\\d+\\.\\d\\d M +\\d+\\.\\d +\\("
                  + SAMPLE_FRAMES
                  + " packets\\)");
    }
  }

  @Test
  void liveWithAnUnknownBackendIsOneLine() {
    StringWriter err = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("bench-capture", "--live", "lo", "--capture-backend", "netmap");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains("unknown capture backend \"netmap\" (choose libpcap, tcpdump or pcap4j)");
  }
}
