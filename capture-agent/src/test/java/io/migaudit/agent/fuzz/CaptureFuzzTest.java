package io.migaudit.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.live.SignatureFollower;
import io.migaudit.agent.source.CaptureFilter;
import io.migaudit.agent.source.CaptureFormatException;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.agent.source.Refilterable;
import io.migaudit.record.PortCatalog;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzzing (Jazzer) of everything a capture file reaches: the pcap/pcapng/gzip
 * reader, every decoder, the flow table and the classifier, and the live agent's follower of
 * migration openings (over a capture whose filter passes nothing else). Whatever the bytes, the
 * only exception allowed is the reader's "not a capture" error, and the agent never reports more
 * packets than the input could hold. Seeds: {@code
 * src/test/resources/io/migaudit/agent/fuzz/CaptureFuzzTestInputs/}. With {@code JAZZER_FUZZ} set
 * (the build's default) it fuzzes for {@code maxDuration}; otherwise it replays the seeds and any
 * crash files found earlier.
 */
class CaptureFuzzTest {
  /** A live capture whose filter would pass none of the frames, and takes any new filter. */
  private static final Refilterable OUTSIDE =
      new Refilterable() {
        @Override
        public String openedFilter() {
          return CaptureFilter.of(PortCatalog.builtIn(), null);
        }

        @Override
        public boolean lastFramePasses(String filter) {
          return false;
        }

        @Override
        public void refilter(String filter) {
          // the kernel would take it; nothing to do here
        }
      };

  @FuzzTest(maxDuration = "30s")
  void anyBytesAreReadWithoutEscapingException(byte[] data) throws IOException {
    PipelineCounters counters = new PipelineCounters();
    long[] records = new long[1];
    CaptureAgent agent =
        new CaptureAgent(AgentConfig.defaults("fuzz"), r -> records[0]++, counters);
    SignatureFollower follower = new SignatureFollower(OUTSIDE, "fuzz", counters);
    try (PcapFileSource source = PcapFileSource.open(new ByteArrayInputStream(data), "fuzz")) {
      CaptureAgent.SourceReport report =
          agent.run(source, "fuzz", EndReason.END_OF_CAPTURE, follower);
      // A pcap record header is 16 bytes, a pcapng block at least 12: more packets than that is a
      // bug.
      assertThat(report.packets()).isLessThanOrEqualTo(data.length / 12L);
      assertThat(report.ipPackets()).isLessThanOrEqualTo(report.packets());
      assertThat(counters.connectionsFollowed() + counters.followsRefused())
          .isLessThanOrEqualTo(report.ipPackets());
    } catch (CaptureFormatException expected) {
      // not a capture file: the one-line error users see
    }
  }
}
