package io.migaudit.agent.flow;

import static io.migaudit.agent.flow.Packets.ACK;
import static io.migaudit.agent.flow.Packets.FIN;
import static io.migaudit.agent.flow.Packets.PSH;
import static io.migaudit.agent.flow.Packets.RST;
import static io.migaudit.agent.flow.Packets.SYN;
import static io.migaudit.agent.flow.Packets.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowTableTest {
  private static final long S = 1_000_000L;
  private static final long T0 = 1_700_000_000L * S;

  private final List<FlowRecord> records = new ArrayList<>();

  private FlowTable table(int maxFlows) {
    FlowTableConfig cfg =
        new FlowTableConfig(
            maxFlows, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(2));
    return new FlowTable(cfg, PortCatalog.builtIn(), "test-agent", "eth0", records::add, 4096, 512);
  }

  private static void handshakeDataFin(FlowTable t, long start) {
    t.offer(tcp(start, 11, 40000, 12, 8000, SYN, 0));
    t.offer(tcp(start + 100, 12, 8000, 11, 40000, SYN | ACK, 0));
    t.offer(tcp(start + 200, 11, 40000, 12, 8000, ACK, 0));
    t.offer(tcp(start + 300, 11, 40000, 12, 8000, ACK | PSH, 1000));
    t.offer(tcp(start + 400, 12, 8000, 11, 40000, ACK, 0));
    t.offer(tcp(start + 500, 11, 40000, 12, 8000, FIN | ACK, 0));
    t.offer(tcp(start + 600, 12, 8000, 11, 40000, FIN | ACK, 0));
  }

  @Test
  void aSynFromAMigrationServersPortDoesNotMakeTheServerTheClient() {
    FlowTable t = table(100);
    // a vMotion handshake, a forged RST, and after the linger a forged SYN from the server's
    // listening port: the data that follows is still the client's migration to port 8000
    t.offer(tcp(T0, 11, 40000, 12, 8000, SYN, 0));
    t.offer(tcp(T0 + 100, 12, 8000, 11, 40000, SYN | ACK, 0));
    t.offer(tcp(T0 + 200, 11, 40000, 12, 8000, ACK, 0));
    t.offer(tcp(T0 + 300, 11, 40000, 12, 8000, RST | ACK, 0));
    t.offer(tcp(T0 + 5 * S, 12, 8000, 11, 40000, SYN, 0));
    t.offer(tcp(T0 + 5 * S + 100, 11, 40000, 12, 8000, ACK | PSH, 1000));
    t.flush(EndReason.END_OF_CAPTURE);
    FlowRecord r = records.get(records.size() - 1);
    assertThat(r.src()).isEqualTo("10.0.0.11");
    assertThat(r.dstPort()).isEqualTo(8000);
    assertThat(r.protocol()).isEqualTo("vmotion");
    assertThat(r.initiator()).isEqualTo("port");
    assertThat(r.srcToDst().payloadBytes()).isEqualTo(1000);
  }

  @Test
  void aClientGivenAPortOfTheMigrationRangeStillOpensItsConnections() {
    FlowTable t = table(100);
    // 49160 lies in QEMU's migration range and in the systems' client ports: to HTTPS, or to a
    // service on a registered port, it is a client; and a client bound to 6600 (Hyper-V's) that
    // calls a well-known service is one too
    int[][] clientAndServer = {{49160, 443}, {49160, 8443}, {6600, 443}};
    for (int[] ports : clientAndServer) {
      long at = T0 + ports[0] + ports[1];
      t.offer(tcp(at, 11, ports[0], 12, ports[1], SYN, 0));
      t.offer(tcp(at + 1, 12, ports[1], 11, ports[0], SYN | ACK, 0));
      t.offer(tcp(at + 2, 11, ports[0], 12, ports[1], ACK | PSH, 100));
    }
    t.flush(EndReason.END_OF_CAPTURE);
    assertThat(records).hasSize(3);
    assertThat(records)
        .allSatisfy(
            r -> {
              assertThat(r.src()).isEqualTo("10.0.0.11");
              assertThat(r.dstPort()).isIn(443, 8443);
              assertThat(r.initiator()).isEqualTo("syn");
              assertThat(r.protocol()).isNull();
            });
  }

  @Test
  void bothDirectionsAreOneFlowEndingOnFin() {
    FlowTable t = table(100);
    handshakeDataFin(t, T0);
    assertThat(records).hasSize(1);
    FlowRecord r = records.get(0);
    assertThat(r.last()).isTrue();
    assertThat(r.endReason()).isEqualTo("fin");
    assertThat(r.src()).isEqualTo("10.0.0.11");
    assertThat(r.srcPort()).isEqualTo(40000);
    assertThat(r.dst()).isEqualTo("10.0.0.12");
    assertThat(r.dstPort()).isEqualTo(8000);
    assertThat(r.initiator()).isEqualTo("syn");
    assertThat(r.protocol()).isEqualTo("vmotion");
    assertThat(r.srcToDst().packets()).isEqualTo(4);
    assertThat(r.srcToDst().payloadBytes()).isEqualTo(1000);
    assertThat(r.srcToDst().bytes()).isEqualTo(4 * 40 + 1000);
    assertThat(r.dstToSrc().packets()).isEqualTo(3);
    assertThat(r.tcpFlags()).containsExactly("FIN", "SYN", "PSH", "ACK");
    assertThat(r.firstSeen().toEpochMilli()).isEqualTo(T0 / 1000);
  }

  @Test
  void trailingAckAfterCloseStartsNoNewFlow() {
    FlowTable t = table(100);
    handshakeDataFin(t, T0);
    t.offer(tcp(T0 + 700, 11, 40000, 12, 8000, ACK, 0));
    t.flush(EndReason.END_OF_CAPTURE);
    assertThat(records).hasSize(1);
  }

  @Test
  void rstEndsTheFlow() {
    FlowTable t = table(100);
    t.offer(tcp(T0, 11, 40000, 12, 8000, SYN, 0));
    t.offer(tcp(T0 + 10, 12, 8000, 11, 40000, RST | ACK, 0));
    assertThat(records).singleElement().satisfies(r -> assertThat(r.endReason()).isEqualTo("rst"));
    assertThat(t.ended(EndReason.RST)).isEqualTo(1);
  }

  @Test
  void activeTimeoutWritesInterimRecordsByPacketTime() {
    FlowTable t = table(100);
    t.offer(tcp(T0, 11, 40000, 12, 8000, SYN, 0));
    for (long us = 100_000; us <= 2_500_000; us += 100_000) {
      t.offer(
          tcp(T0 + us, 11, 40000, 12, 8000, ACK, 100)); // 2,500 bytes: the 4 KiB sample never fills
    }
    t.flush(EndReason.END_OF_CAPTURE);
    assertThat(records).extracting(FlowRecord::seq).containsExactly(0L, 1L, 2L);
    assertThat(records).extracting(FlowRecord::last).containsExactly(false, false, true);
    assertThat(records).extracting(FlowRecord::flowId).containsOnly(records.get(0).flowId());
    assertThat(records.get(0).lastSeen().toEpochMilli()).isEqualTo((T0 + 1_000_000) / 1000);
    assertThat(records.get(2).endReason()).isEqualTo("end-of-capture");
    assertThat(records.get(2).srcToDst().payloadBytes()).isEqualTo(25 * 100);
  }

  @Test
  void firstRecordComesWhenThePayloadSampleIsFullNotAfterTheActiveTimeout() {
    FlowTable t = table(100); // 4 KiB sample per direction, 512 bytes of each packet
    t.offer(tcp(T0, 11, 40000, 12, 8000, SYN, 0));
    long filledAt = 0;
    for (int i = 1; i <= 30; i++) {
      long at = T0 + i * 10_000L; // a packet every 10 ms of packet time
      if (i == 4096 / 512) {
        assertThat(records).as("no record before the sample is full").isEmpty();
        filledAt = at;
      }
      t.offer(tcp(at, 11, 40000, 12, 8000, ACK, 1400));
    }
    long filled = filledAt;
    assertThat(records)
        .as("one early record, the active timeout not reached")
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.last()).isFalse();
              assertThat(r.lastSeen().toEpochMilli() * 1000).isEqualTo(filled);
              assertThat(r.payload().sampledBytes()).isEqualTo(4096);
            });
    for (long us = 400_000; us <= 2_500_000; us += 100_000) {
      t.offer(tcp(T0 + us, 11, 40000, 12, 8000, ACK, 1400));
    }
    t.flush(EndReason.END_OF_CAPTURE);
    assertThat(records)
        .extracting(FlowRecord::seq)
        .as("early, interim after 1 s, interim, final")
        .containsExactly(0L, 1L, 2L, 3L);
    assertThat(records)
        .extracting(r -> r.payload().verdict())
        .as("the early verdict is the flow's verdict")
        .containsOnly(records.get(records.size() - 1).payload().verdict());
    assertThat(records.get(1).lastSeen().toEpochMilli() * 1000)
        .as("the cadence restarts at the early record")
        .isBetween(filledAt + 1_000_000, filledAt + 1_100_000);
  }

  @Test
  void idleFlowEndsWhenPacketTimeMovesOn() {
    FlowTable t = table(100);
    t.offer(tcp(T0, 11, 40000, 12, 8000, SYN, 0));
    for (long s = 1; s <= 12; s++) {
      t.offer(tcp(T0 + s * S, 21, 50000, 22, 443, ACK, 10));
    }
    assertThat(records)
        .anySatisfy(
            r -> {
              assertThat(r.srcPort()).isEqualTo(40000);
              assertThat(r.endReason()).isEqualTo("idle");
            });
    assertThat(t.ended(EndReason.IDLE)).isEqualTo(1);
  }

  @Test
  void fullTableEvictsLeastRecentlySeenFlow() {
    FlowTable t = table(2);
    t.offer(tcp(T0, 11, 40000, 12, 8000, SYN, 0));
    t.offer(tcp(T0 + 1, 13, 40001, 12, 8000, SYN, 0));
    t.offer(tcp(T0 + 2, 11, 40000, 12, 8000, ACK, 100)); // first flow is now the most recent
    t.offer(tcp(T0 + 3, 14, 40002, 12, 8000, SYN, 0));
    assertThat(t.size()).isEqualTo(2);
    assertThat(records)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.src()).isEqualTo("10.0.0.13");
              assertThat(r.endReason()).isEqualTo("evicted");
            });
    assertThat(t.ended(EndReason.EVICTED)).isEqualTo(1);
  }

  @Test
  void withoutHandshakeTheCatalogPortMarksTheServer() {
    FlowTable t = table(100);
    t.offer(tcp(T0, 12, 8000, 11, 40000, ACK, 100)); // first packet seen comes from the server
    t.flush(EndReason.END_OF_CAPTURE);
    FlowRecord r = records.get(0);
    assertThat(r.src()).isEqualTo("10.0.0.11");
    assertThat(r.dstPort()).isEqualTo(8000);
    assertThat(r.initiator()).isEqualTo("port");
    assertThat(r.dstToSrc().payloadBytes()).isEqualTo(100);
  }

  @Test
  void synAckSeenFirstStillNamesTheClient() {
    FlowTable t = table(100);
    t.offer(tcp(T0, 12, 9999, 11, 40000, SYN | ACK, 0));
    t.flush(EndReason.END_OF_CAPTURE);
    assertThat(records.get(0).src()).isEqualTo("10.0.0.11");
    assertThat(records.get(0).initiator()).isEqualTo("syn");
  }

  @Test
  void sameInputSameRecords() {
    FlowTable t = table(100);
    handshakeDataFin(t, T0);
    List<FlowRecord> first = new ArrayList<>(records);
    records.clear();
    FlowTable again = table(100);
    handshakeDataFin(again, T0);
    assertThat(records).isEqualTo(first);
  }

  @Test
  void vlansSeparateFlows() {
    FlowTable t = table(100);
    DecodedPacket a = tcp(T0, 11, 40000, 12, 8000, SYN, 0);
    a.vlan = 50;
    DecodedPacket b = tcp(T0 + 1, 11, 40000, 12, 8000, SYN, 0);
    b.vlan = 10;
    t.offer(a);
    t.offer(b);
    t.flush(EndReason.END_OF_CAPTURE);
    assertThat(records).extracting(FlowRecord::vlan).containsExactlyInAnyOrder(50, 10);
  }
}
