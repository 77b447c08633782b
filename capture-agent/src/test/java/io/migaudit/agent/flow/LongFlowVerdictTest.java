package io.migaudit.agent.flow;

import static io.migaudit.agent.flow.Packets.ACK;
import static io.migaudit.agent.flow.Packets.FIN;
import static io.migaudit.agent.flow.Packets.PSH;
import static io.migaudit.agent.flow.Packets.SYN;
import static io.migaudit.agent.flow.Packets.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.classify.PageStreams;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A vMotion-port stream that sends uniform bytes for its first sample (256 KiB), then pages
 * compressed without encryption, enough to fill the first interval whatever its window: the flow
 * table's records say `encrypted` until that window is read, and `compressed` from then on.
 */
class LongFlowVerdictTest {
  private static final int MIB = 1 << 20;
  private static final int SEGMENT = 1448;

  @Test
  void aStreamThatStopsEncryptingIsCompressedFromTheWindowOn() {
    byte[] uniform = new byte[AgentConfig.DEFAULT_SAMPLE_BYTES]; // the first sample's
    new Random(21).nextBytes(uniform);
    byte[] compressed = PageStreams.rawDeflate(PageStreams.memoryLike(48 * MIB, 22), 1);
    assertThat(compressed.length).isGreaterThan(9 * MIB);
    List<FlowRecord> records = new ArrayList<>();
    FlowTable table = CollectingTables.agentDefaults(records);
    long t = 1_700_000_000_000_000L;
    table.offer(tcp(t, 11, 40001, 12, 8000, SYN, 0));
    table.offer(tcp(t + 100, 12, 8000, 11, 40001, SYN | ACK, 0));
    table.offer(tcp(t + 200, 11, 40001, 12, 8000, ACK, 0));
    for (byte[] part : new byte[][] {uniform, compressed}) {
      for (int at = 0; at < part.length; at += SEGMENT) {
        t += 10;
        table.offer(
            tcp(t, 11, 40001, 12, 8000, ACK | PSH, part, at, Math.min(SEGMENT, part.length - at)));
      }
    }
    table.offer(tcp(t + 100, 11, 40001, 12, 8000, FIN | ACK, 0));
    table.offer(tcp(t + 200, 12, 8000, 11, 40001, FIN | ACK, 0));

    FlowRecord last = records.get(records.size() - 1);
    assertThat(last.last()).isTrue();
    assertThat(last.payload().verdict()).isEqualTo(Verdict.COMPRESSED);
    assertThat(last.payload().reason())
        .startsWith("payload stopped looking encrypted after ")
        .contains("earlier: uniform bytes");
    List<Verdict> verdicts = records.stream().map(r -> r.payload().verdict()).toList();
    int turned = verdicts.indexOf(Verdict.COMPRESSED);
    assertThat(turned).as("records before the window (the sample full)").isPositive();
    assertThat(verdicts.subList(0, turned)).containsOnly(Verdict.ENCRYPTED);
    assertThat(verdicts.subList(turned, verdicts.size())).containsOnly(Verdict.COMPRESSED);
  }
}
