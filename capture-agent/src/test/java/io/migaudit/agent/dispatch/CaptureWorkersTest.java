package io.migaudit.agent.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.agent.flow.FlowTableConfig;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Capture workers give the records of one worker: every sample, read by 1 and by 2, 3 and 5
 * workers, yields the same records (as JSON, sorted by flow id and sequence number), also with
 * timeouts short enough that most records come from sweeps (idle ends and interim records due on
 * another worker's packets).
 */
class CaptureWorkersTest {
  private static final Comparator<FlowRecord> BY_FLOW =
      Comparator.comparing(FlowRecord::flowId).thenComparingLong(FlowRecord::seq);

  /**
   * Timeouts of milliseconds: a sample's flows end idle and get interim records many times over.
   */
  private static final FlowTableConfig SHORT =
      new FlowTableConfig(
          262_144, Duration.ofMillis(1), Duration.ofMillis(20), Duration.ofMillis(5));

  /** The sample whose every frame is MACsec encrypted: no flow can be read from it. */
  private static final Path ALL_ENCRYPTED =
      Path.of("../samples/qemu-macsec-encrypted/capture.pcap");

  static Stream<Path> samples() throws IOException {
    try (Stream<Path> dirs = Files.list(Path.of("../samples"))) {
      return dirs
          .map(d -> d.resolve("capture.pcap"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void workersGiveTheRecordsOfOneWorker(Path capture) throws IOException {
    AgentConfig config = AgentConfig.defaults("test");
    List<String> one = records(capture, config, 1);
    if (capture.equals(ALL_ENCRYPTED)) {
      assertThat(one).as("MACsec-encrypted frames, nothing to read").isEmpty();
    } else {
      assertThat(one).isNotEmpty();
    }
    for (int workers : new int[] {2, 3, 5}) {
      assertThat(records(capture, config, workers)).as("%d workers", workers).isEqualTo(one);
      assertThat(fileRecords(capture, config, workers))
          .as("%d workers, the file opened by CaptureWorkers", workers)
          .isEqualTo(one);
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void sweepsFallDueAtTheSamePacketsOnEveryWorker(Path capture) throws IOException {
    AgentConfig config = AgentConfig.defaults("test").withFlowTable(SHORT);
    List<String> one = records(capture, config, 1);
    assertThat(records(capture, config, 3)).isEqualTo(one);
    assertThat(fileRecords(capture, config, 3)).isEqualTo(one);
  }

  @Test
  void countersAddUpOverTheWorkers() throws IOException {
    Path capture = Path.of("../samples/vmotion-multistream/capture.pcap");
    PipelineCounters single = new PipelineCounters();
    PipelineCounters split = new PipelineCounters();
    CaptureAgent.SourceReport a = run(capture, AgentConfig.defaults("t"), 1, r -> {}, single);
    CaptureAgent.SourceReport b = run(capture, AgentConfig.defaults("t"), 3, r -> {}, split);
    assertThat(b).isEqualTo(a);
    assertThat(split.packets()).isEqualTo(single.packets()).isEqualTo(a.packets());
    long ended = 0;
    for (EndReason reason : EndReason.values()) {
      assertThat(split.flowsEnded(reason)).as(reason.wire()).isEqualTo(single.flowsEnded(reason));
      ended += split.flowsEnded(reason);
    }
    assertThat(ended).isPositive();
    assertThat(split.notIp()).isEqualTo(single.notIp());
    PipelineCounters byFile = new PipelineCounters();
    CaptureAgent.SourceReport c =
        new CaptureWorkers(AgentConfig.defaults("t"), r -> {}, byFile, 3)
            .run(capture, capture.toString(), EndReason.END_OF_CAPTURE);
    assertThat(c).isEqualTo(a);
    assertThat(byFile.packets()).isEqualTo(a.packets());
    assertThat(byFile.notIp()).isEqualTo(single.notIp());
    assertThat(byFile.malformed()).isEqualTo(single.malformed());
    assertThat(byFile.tcpFragments()).isEqualTo(single.tcpFragments());
    // the busiest of three workers took a whole number of the capture's IP packets, a third or more
    double busiest = byFile.busiestWorkerShare() * a.ipPackets();
    assertThat(busiest).isBetween(a.ipPackets() / 3.0, (double) a.ipPackets());
    assertThat(busiest).isCloseTo(Math.rint(busiest), org.assertj.core.api.Assertions.within(1e-6));
    assertThat(single.busiestWorkerShare()).isZero(); // only workers that each read a file count
    for (EndReason reason : EndReason.values()) {
      assertThat(byFile.flowsEnded(reason)).as(reason.wire()).isEqualTo(single.flowsEnded(reason));
    }
  }

  @Test
  void aFailingSinkEndsTheReadWithItsErrorInsteadOfHanging() {
    Path capture = Path.of("../samples/vmotion-multistream/capture.pcap");
    assertThatThrownBy(
            () ->
                run(
                    capture,
                    AgentConfig.defaults("t"),
                    2,
                    r -> {
                      throw new IllegalStateException("sink broke");
                    },
                    new PipelineCounters()))
        .hasMessage("sink broke");
    assertThatThrownBy(
            () ->
                new CaptureWorkers(
                        AgentConfig.defaults("t"),
                        r -> {
                          throw new IllegalStateException("sink broke");
                        },
                        new PipelineCounters(),
                        2)
                    .run(capture, "test", EndReason.END_OF_CAPTURE))
        .as("each worker reading the file")
        .hasMessage("sink broke");
  }

  private static List<String> records(Path capture, AgentConfig config, int workers)
      throws IOException {
    List<FlowRecord> records = Collections.synchronizedList(new ArrayList<>());
    run(capture, config, workers, records::add, new PipelineCounters());
    List<FlowRecord> sorted = new ArrayList<>(records);
    sorted.sort(BY_FLOW);
    return sorted.stream().map(RecordJson::toLine).toList();
  }

  /** As {@link #records}, each worker reading the file itself ({@link FileWorkers}). */
  private static List<String> fileRecords(Path capture, AgentConfig config, int workers)
      throws IOException {
    List<FlowRecord> records = Collections.synchronizedList(new ArrayList<>());
    new CaptureWorkers(config, records::add, new PipelineCounters(), workers)
        .run(capture, "test", EndReason.END_OF_CAPTURE);
    List<FlowRecord> sorted = new ArrayList<>(records);
    sorted.sort(BY_FLOW);
    return sorted.stream().map(RecordJson::toLine).toList();
  }

  private static CaptureAgent.SourceReport run(
      Path capture, AgentConfig config, int workers, FlowRecordSink sink, PipelineCounters counters)
      throws IOException {
    try (PcapFileSource source = PcapFileSource.open(capture)) {
      return new CaptureWorkers(config, sink, counters, workers)
          .run(source, "test", EndReason.END_OF_CAPTURE);
    }
  }
}
