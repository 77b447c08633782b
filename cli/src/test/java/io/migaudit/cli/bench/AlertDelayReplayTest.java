package io.migaudit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.record.FlowRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The time-to-alert replay goes on as a migration does: its repeated payload is new data to the
 * agent's stream tracker, so a direction's sample fills and the flow gets its early record.
 */
class AlertDelayReplayTest {
  private static final Path CAPTURE = Path.of("../samples/vmotion-plaintext/capture.pcap");

  @Test
  void repeatedPayloadFillsTheSampleAndGivesTheEarlyRecord() throws Exception {
    AgentConfig config = AgentConfig.defaults("replay-test");
    AlertDelayReplay replay =
        AlertDelayReplay.of(CAPTURE, config.catalog(), 20_000, TimeUnit.MILLISECONDS.toNanos(400));
    List<FlowRecord> records = new ArrayList<>();
    // CaptureAgent itself, not FileAgent: the replay is a paced source, not a file
    new CaptureAgent(config, records::add, new PipelineCounters())
        .run(replay, CAPTURE.toString(), EndReason.SHUTDOWN);

    assertThat(replay.firstPayloadSentNanos()).isPositive();
    // 400 ms is less than the active timeout: an interim record can only be the early one
    List<FlowRecord> early =
        records.stream()
            .filter(r -> !r.last())
            .filter(r -> r.payload() != null && r.payload().sampledBytes() >= config.sampleBytes())
            .toList();
    assertThat(early).isNotEmpty();
    FlowRecord last =
        records.stream()
            .filter(r -> r.flowId().equals(early.get(0).flowId()))
            .reduce((a, b) -> b)
            .get();
    assertThat(last.last()).isTrue();
    assertThat(last.totalBytes()).isGreaterThan(early.get(0).totalBytes());
  }
}
