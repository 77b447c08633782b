package io.migaudit.analyzer.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.RecordJson;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class MigrationGrouperTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A record of a stream src:port -> dst:dstPort that started {@code startMs} after T0. */
  private static FlowRecord stream(
      String src,
      int srcPort,
      String dst,
      String protocol,
      long startMs,
      long durationMs,
      long bytes,
      Verdict verdict,
      boolean last) {
    Instant first = T0.plusMillis(startMs);
    String flowId = FlowId.of("tcp", src, srcPort, dst, 8000, null, first);
    return new FlowRecord(
        SchemaVersion.CURRENT,
        "esx-a",
        "vmk1",
        flowId,
        0,
        last,
        last ? "fin" : null,
        first,
        first.plusMillis(durationMs),
        null,
        null,
        List.of("ethernet"),
        4,
        "tcp",
        src,
        srcPort,
        dst,
        8000,
        "syn",
        new Counters(10, bytes, bytes),
        new Counters(5, 0, 0),
        List.of(),
        protocol,
        new PayloadFeatures(4096, 7.99, 250, 0.0, 0.37, Signature.NONE, verdict, "r"));
  }

  /** {@code r} with {@code back} bytes of payload (and as many bytes) from its dst to its src. */
  private static FlowRecord back(FlowRecord r, long back) throws Exception {
    ObjectNode json = (ObjectNode) JSON.readTree(RecordJson.toBytes(r));
    json.putObject("dstToSrc").put("packets", 5).put("bytes", back).put("payloadBytes", back);
    return RecordJson.flowRecord(JSON.writeValueAsBytes(json));
  }

  private static FlowRecord vmotion(
      int srcPort, long startMs, long bytes, Verdict verdict, boolean last) {
    return stream(
        "192.168.50.11", srcPort, "192.168.50.12", "vmotion", startMs, 2000, bytes, verdict, last);
  }

  @Test
  void parallelStreamsOfOneHostPairAreOneEvent() {
    MigrationGrouper g = new MigrationGrouper();
    g.add(vmotion(40001, 0, 1000, Verdict.ENCRYPTED, false));
    g.add(vmotion(40002, 100, 2000, Verdict.ENCRYPTED, false));
    MigrationEvent e = g.add(vmotion(40003, 200, 3000, Verdict.PLAINTEXT, false)).event();
    assertThat(e.streams()).isEqualTo(3);
    assertThat(e.bytes()).isEqualTo(6000);
    assertThat(e.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(e.start()).isEqualTo(T0);
    assertThat(e.end()).isEqualTo(T0.plusMillis(2200));
    assertThat(e.bytesPerSecond()).isEqualTo(6000 / 2.2, Offset.offset(1e-6));
    assertThat(e.eventId())
        .isEqualTo(FlowId.eventId("vmotion", "192.168.50.11", "192.168.50.12", T0));
    assertThat(e.src()).isEqualTo("192.168.50.11");
    assertThat(e.flowIds()).hasSize(3).doesNotHaveDuplicates();
    assertThat(g.openEvents()).isEqualTo(1);
  }

  /** Capture times the analyzer takes span 8,000 years: nanoseconds of that overflow a long. */
  @Test
  void anEventSpanningMillenniaHasARate() {
    MigrationGrouper g = new MigrationGrouper();
    FlowRecord r = vmotion(40001, 0, 8_000, Verdict.PLAINTEXT, true);
    Instant end = Instant.parse("9999-12-31T23:59:59Z");
    r = r.withIdentity(r.flowId(), Instant.EPOCH, end);
    MigrationEvent e = g.add(r).event();
    assertThat(e.bytesPerSecond())
        .isEqualTo(8_000.0 / end.getEpochSecond(), Offset.offset(1e-15))
        .isPositive();
  }

  @Test
  void laterRecordsOfAStreamReplaceItsCountersAndEndTheEvent() {
    MigrationGrouper g = new MigrationGrouper();
    g.add(vmotion(40001, 0, 1000, Verdict.UNKNOWN, false));
    g.add(vmotion(40002, 0, 1000, Verdict.UNKNOWN, false));
    MigrationGrouper.Update u = g.add(vmotion(40001, 0, 5000, Verdict.ENCRYPTED, true));
    assertThat(u.event().bytes()).isEqualTo(6000);
    assertThat(u.event().verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(u.endedNow()).isFalse();
    u = g.add(vmotion(40002, 0, 7000, Verdict.ENCRYPTED, true));
    assertThat(u.event().streams()).isEqualTo(2);
    assertThat(u.event().bytes()).isEqualTo(12000);
    assertThat(u.event().verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(u.event().ended()).isTrue();
    assertThat(u.endedNow()).isTrue();
    assertThat(g.add(vmotion(40002, 0, 7000, Verdict.ENCRYPTED, true)).endedNow())
        .as("the same final record again")
        .isFalse();
  }

  @Test
  void aStreamStartingMoreThanTheGapAfterTheLastActivityOpensANewEvent() {
    MigrationGrouper g = new MigrationGrouper(Duration.ofSeconds(10), 100);
    MigrationEvent first = g.add(vmotion(40001, 0, 1000, Verdict.ENCRYPTED, true)).event();
    // last activity at 2 s: a stream at 12 s still joins (and extends it to 14 s); 24.001 s does
    // not
    assertThat(g.add(vmotion(40002, 12_000, 1000, Verdict.ENCRYPTED, true)).event().eventId())
        .isEqualTo(first.eventId());
    MigrationEvent other = g.add(vmotion(40003, 24_001, 1000, Verdict.ENCRYPTED, true)).event();
    assertThat(other.eventId()).isNotEqualTo(first.eventId());
    assertThat(other.streams()).isEqualTo(1);
  }

  @Test
  void theReverseDirectionJoinsButOtherPairsAndFamiliesDoNot() {
    MigrationGrouper g = new MigrationGrouper();
    String id = g.add(vmotion(40001, 0, 1000, Verdict.ENCRYPTED, false)).event().eventId();
    FlowRecord back =
        stream(
            "192.168.50.12",
            40100,
            "192.168.50.11",
            "vmotion",
            50,
            100,
            10,
            Verdict.UNKNOWN,
            false);
    assertThat(g.add(back).event().eventId()).isEqualTo(id);
    FlowRecord otherPair =
        stream(
            "192.168.50.11",
            40200,
            "192.168.50.13",
            "vmotion",
            50,
            100,
            10,
            Verdict.UNKNOWN,
            false);
    assertThat(g.add(otherPair).event().eventId()).isNotEqualTo(id);
    FlowRecord hyperv =
        stream(
            "192.168.50.11", 40300, "192.168.50.12", "hyperv", 50, 100, 10, Verdict.UNKNOWN, false);
    assertThat(g.add(hyperv).event().eventId()).isNotEqualTo(id);
    assertThat(g.openEvents()).isEqualTo(3);
  }

  @Test
  void protocolFamiliesMergeRelatedLabels() {
    assertThat(MigrationGrouper.family("hyperv-smb")).isEqualTo("hyperv");
    assertThat(MigrationGrouper.family("libvirt-tls")).isEqualTo("qemu");
    assertThat(MigrationGrouper.family("vmotion")).isEqualTo("vmotion");
    MigrationGrouper g = new MigrationGrouper();
    String id =
        g.add(stream("10.66.0.21", 1, "10.66.0.22", "hyperv", 0, 100, 10, Verdict.UNKNOWN, false))
            .event()
            .eventId();
    MigrationEvent e =
        g.add(
                stream(
                    "10.66.0.21",
                    2,
                    "10.66.0.22",
                    "hyperv-smb",
                    0,
                    100,
                    10,
                    Verdict.UNKNOWN,
                    false))
            .event();
    assertThat(e.eventId()).isEqualTo(id);
    assertThat(e.protocol()).isEqualTo("hyperv");
  }

  @Test
  void anEventWhoseMemoryFlowsToTheHostThatDialledNamesTheSenderAsItsSource() throws Exception {
    MigrationGrouper g = new MigrationGrouper();
    // the destination .12 dials the source .11, which sends the memory back
    String dialler = "192.168.50.12";
    String source = "192.168.50.11";
    FlowRecord early = stream(dialler, 40001, source, "qemu", 0, 100, 300, Verdict.UNKNOWN, false);
    MigrationEvent before = g.add(back(early, 200)).event();
    assertThat(before.src()).as("no bulk yet: the roles of the connection").isEqualTo(dialler);
    FlowRecord pulled =
        stream(dialler, 40001, source, "qemu", 0, 2000, 4096, Verdict.PLAINTEXT, true);
    MigrationEvent e = g.add(back(pulled, 1 << 20)).event();
    assertThat(e.src()).isEqualTo(source);
    assertThat(e.dst()).isEqualTo(dialler);
    assertThat(e.eventId()).as("the id stays the first stream's").isEqualTo(before.eventId());
  }

  @Test
  void theDirectionOfAnEventSumsItsStreamsWhicheverWayEachWasOpened() throws Exception {
    MigrationGrouper g = new MigrationGrouper();
    // a small control stream opened by .11, then the memory stream opened by .12 pushing to .11
    String a = "192.168.50.11";
    String b = "192.168.50.12";
    g.add(back(stream(a, 40001, b, "vmotion", 0, 2000, 2000, Verdict.ENCRYPTED, false), 2000));
    MigrationEvent e =
        g.add(stream(b, 40002, a, "vmotion", 100, 2000, 1 << 20, Verdict.ENCRYPTED, false)).event();
    assertThat(e.streams()).isEqualTo(2);
    assertThat(e.src()).isEqualTo(b);
    assertThat(e.dst()).isEqualTo(a);
  }

  @Test
  void staleEventsAreForgottenAndTheCountIsBounded() {
    MigrationGrouper g = new MigrationGrouper(Duration.ofSeconds(10), 2);
    g.add(vmotion(40001, 0, 1, Verdict.ENCRYPTED, true));
    g.add(stream("10.0.0.1", 1, "10.0.0.2", "vmotion", 0, 100, 1, Verdict.ENCRYPTED, false));
    g.add(stream("10.0.0.3", 1, "10.0.0.4", "vmotion", 0, 100, 1, Verdict.ENCRYPTED, false));
    assertThat(g.openEvents()).isEqualTo(2);
    long later = MigrationGrouper.LIVE_STREAM_SILENCE.plusSeconds(60).toMillis();
    g.add(stream("10.0.0.5", 1, "10.0.0.6", "vmotion", later, 100, 1, Verdict.ENCRYPTED, false));
    assertThat(g.openEvents()).isEqualTo(1);
  }
}
