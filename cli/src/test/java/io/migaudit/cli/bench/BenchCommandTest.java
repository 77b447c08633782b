package io.migaudit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.migaudit.cli.MigauditCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The benchmark runs end to end on a small capture; it asserts what it printed, never a speed. */
class BenchCommandTest {

  @Test
  void benchPrintsThroughputRowsAndHeapPerFlow() {
    StringWriter out = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    int code =
        cl.execute(
            "bench",
            "--runs",
            "1",
            "--no-peers",
            "--memory-flows",
            "20000",
            "--workers",
            "3",
            "../samples/vmotion-plaintext/capture.pcap");
    assertThat(code).isZero();
    assertThat(out.toString())
        .containsPattern("migaudit pipeline \\(no Kafka\\), 1 worker +\\d+\\.\\d\\d M +1\\.00 ")
        .containsPattern(
            "migaudit pipeline \\(no Kafka\\), 3 workers +\\d+\\.\\d\\d M +\\d+\\.\\d\\d +1\\.00 ")
        .containsPattern("\\(\\d+ packets, 1 records,")
        .containsPattern("\\(1 records, [\\dNa]+ ns CPU/packet")
        .containsPattern("zstd +\\d+\\.\\d bytes/record")
        .containsPattern("lz4 +\\d+\\.\\d bytes/record")
        .contains("busiest worker 100 % of the IP packets") // one flow: one worker has it all
        .containsPattern(
            "its file read one worker at a time, at most +\\d+\\.\\d\\d M .*\\(the 3 workers'"
                + " turns at reading the file, \\d+ ns a packet")
        // a pass over the sample's 121 packets may be shorter than a step of the CPU clock
        .containsPattern(
            "  if splitting the work cost nothing +(\\d+\\.\\d\\d|NaN) M .*\\((one worker's \\d+"
                + " ns CPU/packet on \\d+ busy cores; splitting costs the 3 workers (-?\\d+|NaN) ns"
                + " a packet more|one worker's CPU per packet not measured: its pass was shorter"
                + " than a step of the process's CPU clock)\\)")
        .containsPattern(
            "migaudit whole process \\(new JVM, one pass\\) +\\d+\\.\\d\\d M .*\\(3 workers;"
                + " start-up \\d+\\.\\d\\d s, the pass \\d+\\.\\d\\d s, JIT compiling"
                + " \\d+\\.\\d\\d s; as the peers are timed\\)")
        .contains("migaudit read + decode only")
        .containsPattern("Heap per tracked flow with 20,000 one-packet flows: \\d+ bytes")
        .containsPattern(
            "Heap per tracked flow with 20,000 one-packet flows of 64 payload bytes: \\d+ bytes")
        .containsPattern(
            "Heap per tracked flow with 20,000 one-packet flows of 1024 payload bytes: \\d+ bytes")
        .containsPattern("migaudit pipeline, 1 worker, per CPU second +\\d+\\.\\d\\d M");
  }

  @Test
  void memoryProbeTracksEveryFlowItCreates() {
    assertThat(FlowMemoryProbe.bytesPerFlow(70_000)).isPositive();
  }

  @Test
  void flowsWithPayloadHoldTheirSamples() {
    double bare = FlowMemoryProbe.bytesPerFlow(50_000);
    double histogram = FlowMemoryProbe.bytesPerFlow(50_000, 1024);
    assertThat(histogram)
        .as("a histogram of 256 16-bit counters per flow")
        .isGreaterThan(bare + 512);
  }

  @Test
  void splittingForFreeIsOneWorkersCpuOnEveryCoreTheWorkersCanUse() {
    // one worker: 2 M packets in 0.5 s, 360 ns of process CPU a packet (1.44 cores busy)
    PipelineBenchmark.Pass one =
        new PipelineBenchmark.Pass(2_000_000, 1, 1, 500_000_000L, -1, 720_000_000L, 0, 0);
    assertThat(BenchCommand.splitFree(one, 2, 2)).isCloseTo(2e9 / 360, within(1.0));
    assertThat(BenchCommand.splitFree(one, 4, 2)).as("two cores").isCloseTo(2e9 / 360, within(1.0));
    assertThat(BenchCommand.splitFree(one, 3, 16)).isCloseTo(3e9 / 360, within(1.0));
    assertThat(BenchCommand.splitFree(one, 2, 2) / one.packetsPerSecond())
        .as("at best 2 / 1.44 times one worker")
        .isCloseTo(2 / 1.44, within(1e-9));
    PipelineBenchmark.Pass unmeasured =
        new PipelineBenchmark.Pass(121, 1, 1, 400_000L, -1, 0, 0, 0);
    assertThat(BenchCommand.splitFree(unmeasured, 2, 2)).as("no CPU time: no figure").isNaN();
  }
}
