package io.migaudit.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.PipelineCounters;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import java.io.PrintWriter;
import java.io.StringWriter;
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
    StringWriter out = new StringWriter();
    s.print(new PrintWriter(out), 1, new PipelineCounters(), List.of());
    return out.toString();
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
