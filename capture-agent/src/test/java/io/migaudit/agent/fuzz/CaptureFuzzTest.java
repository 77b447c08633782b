package io.migaudit.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.source.CaptureFormatException;
import io.migaudit.agent.source.PcapFileSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzzing (Jazzer) of everything a capture file reaches: the pcap/pcapng/gzip
 * reader, every decoder, the flow table and the classifier. Whatever the bytes, the only exception
 * allowed is the reader's "not a capture" error, and the agent never reports more packets than the
 * input could hold. Seeds: {@code
 * src/test/resources/io/migaudit/agent/fuzz/CaptureFuzzTestInputs/}. With {@code JAZZER_FUZZ} set
 * (the build's default) it fuzzes for {@code maxDuration}; otherwise it replays the seeds and any
 * crash files found earlier.
 */
class CaptureFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void anyBytesAreReadWithoutEscapingException(byte[] data) throws IOException {
    PipelineCounters counters = new PipelineCounters();
    long[] records = new long[1];
    CaptureAgent agent =
        new CaptureAgent(AgentConfig.defaults("fuzz"), r -> records[0]++, counters);
    try (PcapFileSource source = PcapFileSource.open(new ByteArrayInputStream(data), "fuzz")) {
      CaptureAgent.SourceReport report = agent.run(source, "fuzz", EndReason.END_OF_CAPTURE);
      // A pcap record header is 16 bytes, a pcapng block at least 12: more packets than that is a
      // bug.
      assertThat(report.packets()).isLessThanOrEqualTo(data.length / 12L);
      assertThat(report.ipPackets()).isLessThanOrEqualTo(report.packets());
    } catch (CaptureFormatException expected) {
      // not a capture file: the one-line error users see
    }
  }
}
