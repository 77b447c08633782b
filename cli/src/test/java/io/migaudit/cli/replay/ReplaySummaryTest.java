package io.migaudit.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import io.migaudit.record.StreamEvidence;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The notes of replay's summary that point at what the policy kept from being judged. */
class ReplaySummaryTest {
  /** A final TCP record from {@code src} to {@code dst}:{@code port} with these payload bytes. */
  private static FlowRecord flow(String src, String dst, int port, long sent, long back)
      throws Exception {
    String json =
        String.format(
            "{\"schemaVersion\":1,\"agent\":\"replay\",\"interface\":\"lo.pcap\","
                + "\"flowId\":\"%s\",\"seq\":0,\"last\":true,\"endReason\":\"fin\","
                + "\"firstSeen\":\"2026-12-05T19:00:00Z\",\"lastSeen\":\"2026-12-05T19:00:01Z\","
                + "\"ipVersion\":%d,\"transport\":\"tcp\",\"src\":\"%s\",\"srcPort\":41013,"
                + "\"dst\":\"%s\",\"dstPort\":%d,\"initiator\":\"syn\","
                + "\"srcToDst\":{\"packets\":60,\"bytes\":%d,\"payloadBytes\":%d},"
                + "\"dstToSrc\":{\"packets\":30,\"bytes\":%d,\"payloadBytes\":%d},"
                + "\"tcpFlags\":[\"SYN\",\"ACK\",\"FIN\"],\"protocol\":null,"
                + "\"payload\":{\"sampledBytes\":90000,\"entropy\":7.998,\"chiSquare\":250,"
                + "\"zeroFraction\":0.004,\"printableFraction\":0.37,\"signature\":\"tls\","
                + "\"verdict\":\"encrypted\",\"reason\":\"tls framing\"}}",
            Integer.toHexString((src + dst + port + sent).hashCode()),
            src.contains(":") ? 6 : 4,
            src,
            dst,
            port,
            sent + 3000,
            sent,
            back + 2000,
            back);
    return RecordJson.flowRecord(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String printed(ReplaySummary s) {
    return printed(s, new PipelineCounters());
  }

  private static String printed(ReplaySummary s, PipelineCounters counters) {
    StringWriter out = new StringWriter();
    s.print(new PrintWriter(out), 1, counters, List.of());
    return out.toString();
  }

  /**
   * Counters after {@code snapped} IP packets cut by the snap length and {@code fragmented} read
   * from a tunnel's first IP fragment.
   */
  private static PipelineCounters cut(int snapped, int fragmented) {
    return cut(snapped, fragmented, fragmented);
  }

  /** As {@link #cut(int, int)}, {@code incomplete} of the fragmented packets never put together. */
  private static PipelineCounters cut(int snapped, int fragmented, int incomplete) {
    PipelineCounters counters = new PipelineCounters();
    CapturedPacket whole = new CapturedPacket();
    whole.data = ByteBuffer.allocate(100);
    whole.originalLength = 100;
    CapturedPacket snap = new CapturedPacket();
    snap.data = ByteBuffer.allocate(100);
    snap.originalLength = 1514;
    DecodedPacket inTunnel = new DecodedPacket();
    inTunnel.tunnelFragment = true;
    for (int i = 0; i < snapped; i++) {
      counters.judged(snap, new DecodedPacket());
    }
    for (int i = 0; i < fragmented; i++) {
      counters.fragments(inTunnel);
      if (i < incomplete) {
        counters.packetIncomplete();
        counters.judged(whole, inTunnel); // its first fragment alone
      } else {
        counters.packetReassembled();
      }
    }
    return counters;
  }

  /**
   * Segments of a migration cut short: the warning names what cut them (the snap length, a tunnel's
   * IP fragments, or either when the capture has both) and only the fix that applies.
   */
  @Test
  void cutSegmentsAreBlamedOnWhatCutThem() throws Exception {
    ReplaySummary s = new ReplaySummary();
    FlowRecord cut = flow("192.168.50.11", "192.168.50.12", 8000, 50_000_000, 9_000);
    s.onRecord(cut.withStream(new StreamEvidence(false, 0, 0, 0, 7)), true, "vmotion");

    assertThat(printed(s, cut(3, 0)))
        .contains(
            "warning: the capture cut 7 segments of 1 migration flow at its snap length: framing")
        .contains("unknown; capture whole packets (tcpdump -s 0, no mirrored packet length)\n");
    assertThat(printed(s, cut(0, 5)))
        .contains("warning: 5 tunnel packets came in IP fragments")
        .contains("cut 7 segments of 1 migration flow in a tunnel's IP fragments: framing")
        .contains("unknown; give the tunnel's underlay the MTU it needs\n")
        .doesNotContain("tcpdump -s 0");
    assertThat(printed(s, cut(3, 5)))
        .contains("migration flow at its snap length or in a tunnel's IP fragments: framing")
        .contains("(tcpdump -s 0, no mirrored packet length) and give the tunnel's underlay");
    assertThat(cut(3, 5).snappedPackets()).isEqualTo(3);
    assertThat(printed(s, cut(3, 5, 0)))
        .as("tunnel packets put back together cut nothing")
        .contains("warning: 5 tunnel packets came in IP fragments: the underlay's MTU is smaller")
        .contains("note: 5 packets that came in IP fragments were put back together and judged")
        .contains("cut 7 segments of 1 migration flow at its snap length: framing")
        .doesNotContain("in a tunnel's IP fragments");
  }

  /** Packets in fragments: how many were put back together, and why the others were not. */
  @Test
  void fragmentedPacketsSayWhatBecameOfThem() throws Exception {
    PipelineCounters counters = new PipelineCounters();
    counters.packetReassembled();
    counters.packetConflicting("10.0.0.1 -> 10.0.0.2, IPv4 id 7: more than 512 pieces");
    counters.packetConflicting("10.0.0.1 -> 10.0.0.2, IPv4 id 8: more than 512 pieces");
    counters.packetIncomplete();
    assertThat(printed(new ReplaySummary(), counters))
        .contains("note: 1 packet that came in IP fragments was put back together and judged whole")
        .contains(
            "warning: 2 fragmented packets had pieces that disagree (overlapping with other bytes,")
        .contains("a way to show a sensor other bytes than the host gets; each piece was judged")
        .contains("as it came (the first: 10.0.0.1 -> 10.0.0.2, IPv4 id 7: more than 512 pieces)")
        .contains("warning: 1 fragmented packet never got all its pieces (within 30 s, or before");
    assertThat(printed(new ReplaySummary(), new PipelineCounters())).doesNotContain("fragment");
  }

  @Test
  void aBulkThatNoMigrationRuleJudgedGetsANoteNamingTheLargest() throws Exception {
    ReplaySummary s = new ReplaySummary();
    // QEMU's TLS migration on 4444 between hosts the policy does not trust: no rule saw it
    s.onRecord(flow("127.0.0.1", "127.0.0.1", 4444, 3_800_000, 9_000), false, null);
    s.onRecord(flow("::1", "::1", 4444, 2_000_000, 9_000), false, null);
    assertThat(printed(s))
        .contains(
            "note: 2 TCP flows carried at least 1.0 MB one way but were not judged as a migration")
        .contains("(the largest: 127.0.0.1:41013 -> 127.0.0.1:4444, 3.8 MB)")
        .contains("trust both hosts in the policy");
  }

  @Test
  void judgedFlowsSmallOrTwoWayTransfersAndNfcGetNoNote() throws Exception {
    ReplaySummary s = new ReplaySummary();
    s.onRecord(flow("192.168.50.11", "192.168.50.12", 8000, 50_000_000, 9_000), true, "vmotion");
    s.onRecord(flow("10.10.0.11", "10.10.0.12", 443, 900_000, 2_000), false, null);
    s.onRecord(flow("10.10.0.11", "10.10.0.12", 2049, 4_000_000, 1_000_000), false, null);
    s.onRecord(flow("10.10.0.11", "10.10.0.12", 902, 40_000_000, 9_000), false, null);
    assertThat(printed(s)).doesNotContain("note:");
    s.onRecord(flow("::1", "::1", 4444, 2_000_000, 9_000), false, null);
    assertThat(printed(s)).contains("(the largest: [::1]:41013 -> [::1]:4444, 2.0 MB)");
  }
}
