package io.migaudit.agent.flow;

import static io.migaudit.agent.flow.Packets.ACK;
import static io.migaudit.agent.flow.Packets.FIN;
import static io.migaudit.agent.flow.Packets.RST;
import static io.migaudit.agent.flow.Packets.SYN;
import static io.migaudit.agent.flow.Packets.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sweep visits only flows that may have something due ({@link DueFlows}); these are the cases
 * where a flow it does not walk past could be missed.
 */
class FlowSweepTest {
  private static final long MS = 1_000L;
  private static final long T0 = 1_700_000_000_000_000L;

  private final List<FlowRecord> records = new ArrayList<>();

  /** Active timeout 10 ms, idle 20 ms, linger 5 ms. */
  private FlowTable table() {
    FlowTableConfig cfg =
        new FlowTableConfig(
            100, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(5));
    return new FlowTable(cfg, PortCatalog.builtIn(), "test-agent", "eth0", records::add, 4096, 512);
  }

  @Test
  void aFlowNotYetDueAtOneSweepGetsItsInterimRecordAtTheNextWithoutAPacket() {
    FlowTable t = table();
    t.offer(tcp(T0, 1, 40000, 2, 8000, ACK, 10)); // the first packet: sweeps every 10 ms from it
    t.offer(tcp(T0 + 6 * MS, 11, 40001, 12, 8000, ACK, 10)); // flow B opens
    t.offer(tcp(T0 + 8 * MS, 11, 40001, 12, 8000, ACK, 10)); // B is dirty, due at 16 ms
    t.offer(tcp(T0 + 10 * MS, 1, 40000, 2, 8000, ACK, 10)); // sweep at 10 ms: B not due yet
    assertThat(records).noneMatch(r -> r.srcPort() == 40001);
    t.tick(T0 + 21 * MS); // the next sweep: B has carried nothing since the last one
    assertThat(records)
        .filteredOn(r -> r.srcPort() == 40001)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.last()).isFalse();
              assertThat(r.srcToDst().packets()).isEqualTo(2);
            });
  }

  @Test
  void anIdleFlowBehindALatePacketIsStillEnded() {
    FlowTable t = table();
    t.offer(tcp(T0, 1, 40000, 2, 8000, ACK, 10)); // flow A
    t.offer(tcp(T0 + 10 * MS, 11, 40001, 12, 8000, ACK, 10)); // flow B, and a sweep
    t.offer(tcp(T0 + 5 * MS, 1, 40000, 2, 8000, ACK, 10)); // A again, 5 ms late: now after B
    t.tick(T0 + 26 * MS); // A quiet 21 ms (idle), B 16 ms (not)
    assertThat(records)
        .filteredOn(r -> r.last())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.srcPort()).isEqualTo(40000);
              assertThat(r.endReason()).isEqualTo("idle");
              assertThat(r.srcToDst().packets()).isEqualTo(2);
            });
    assertThat(t.size()).isEqualTo(1);
  }

  @Test
  void aPacketAfterTheIdleTimeoutWithNothingBetweenStartsAFlowOfItsOwn() {
    FlowTable t = table();
    t.offer(tcp(T0, 1, 40000, 2, 8000, SYN, 0));
    t.offer(tcp(T0 + MS, 1, 40000, 2, 8000, ACK, 100));
    // the same ports an hour later, and no packet of another flow between to move the clock
    t.offer(tcp(T0 + 3_600_000 * MS, 1, 40000, 2, 8000, SYN, 0));
    t.flush(EndReason.END_OF_CAPTURE);
    List<FlowRecord> finals = records.stream().filter(FlowRecord::last).toList();
    assertThat(finals).hasSize(2);
    assertThat(finals.get(0).endReason()).isEqualTo("idle");
    assertThat(finals.get(0).srcToDst().packets()).isEqualTo(2);
    assertThat(finals.get(1).srcToDst().packets()).isEqualTo(1);
  }

  @Test
  void aClosedFlowLeavesTheTableWhenItsLingerEnds() {
    FlowTable t = table();
    t.offer(tcp(T0, 1, 40000, 2, 8000, ACK, 10));
    t.offer(tcp(T0 + 1 * MS, 1, 40000, 2, 8000, FIN | ACK, 0));
    t.offer(tcp(T0 + 2 * MS, 2, 8000, 1, 40000, FIN | ACK, 0));
    assertThat(t.size()).isEqualTo(1); // closed, absorbing trailing packets
    t.offer(tcp(T0 + 10 * MS, 11, 40001, 12, 8000, ACK, 10)); // sweep: linger ended at 7 ms
    assertThat(t.size()).isEqualTo(1);
    assertThat(records).singleElement().satisfies(r -> assertThat(r.endReason()).isEqualTo("fin"));
  }

  @Test
  void aFlowOpenedOnTheKeyOfAClosedOneKeepsItOnlyForItsLinger() {
    FlowTable t = table();
    t.offer(tcp(T0, 1, 40000, 2, 8000, SYN, 0));
    t.offer(tcp(T0 + 1 * MS, 1, 40000, 2, 8000, ACK, 10));
    t.offer(tcp(T0 + 2 * MS, 1, 40000, 2, 8000, FIN | ACK, 0));
    t.offer(tcp(T0 + 2 * MS, 2, 8000, 1, 40000, FIN | ACK, 0));
    t.offer(tcp(T0 + 3 * MS, 1, 40000, 2, 8000, SYN, 0)); // the ports reused within the linger
    assertThat(t.followingClosed()).isEqualTo(1);
    t.offer(tcp(T0 + 4 * MS, 1, 40000, 2, 8000, ACK, 10));
    t.tick(T0 + 10 * MS); // sweep: the closed flow's linger ended at 7 ms
    assertThat(t.followingClosed()).isZero();
    assertThat(t.size()).isEqualTo(1);
  }

  @Test
  void aFlowThatGoesOnAConnectionNamesItUntilItsIdleRecordAndThenLeaves() {
    FlowTable t = table();
    t.offer(tcp(T0, 1, 40000, 2, 8000, SYN, 0));
    t.offer(tcp(T0 + 1 * MS, 1, 40000, 2, 8000, ACK, 10));
    t.offer(tcp(T0 + 2 * MS, 1, 40000, 2, 8000, RST | ACK, 0)); // forged: the data goes on
    t.offer(tcp(T0 + 3 * MS, 1, 40000, 2, 8000, ACK, 10));
    assertThat(t.continuing()).isEqualTo(1);
    t.tick(T0 + 30 * MS); // the sweep ends it as idle
    List<FlowRecord> finals = records.stream().filter(FlowRecord::last).toList();
    assertThat(finals).extracting(FlowRecord::endReason).containsExactly("rst", "idle");
    assertThat(finals.get(1).stream().continues()).isEqualTo(finals.get(0).flowId());
    assertThat(t.continuing()).as("gone with the flow").isZero();
  }

  @Test
  void aTouchedFlowThatWasTheSweepMarkIsStillVisited() {
    FlowTable t = table();
    t.offer(tcp(T0, 1, 40000, 2, 8000, ACK, 10)); // A
    t.offer(tcp(T0, 11, 40001, 12, 8000, ACK, 10)); // B
    t.offer(tcp(T0 + 10 * MS, 11, 40001, 12, 8000, ACK, 10)); // B's record; sweep; B the newest
    t.offer(tcp(T0 + 12 * MS, 11, 40001, 12, 8000, ACK, 10)); // B dirty again, still the newest
    t.tick(T0 + 20 * MS); // sweep: B due (last record at 10 ms), pending nowhere
    assertThat(records)
        .filteredOn(r -> r.srcPort() == 40001)
        .extracting(r -> r.srcToDst().packets())
        .containsExactly(2L, 3L);
  }

  @Test
  void flowsThatCloseAndAreEvictedBetweenTwoSweepsAreNotAllKept() {
    FlowTable t =
        new FlowTable(
            new FlowTableConfig(
                100, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(2)),
            PortCatalog.builtIn(),
            "test-agent",
            "eth0",
            r -> {},
            4096,
            512);
    int flows = 50_000;
    for (int i = 0; i < flows; i++) { // 50 ms of packet time: no sweep in between
      int port = 1024 + i % 60_000;
      int host = 1 + i / 60_000;
      t.offer(tcp(T0 + i, host, port, 200, 8000, SYN, 0));
      t.offer(tcp(T0 + i, 200, 8000, host, port, RST | ACK, 0)); // closed, lingers, then evicted
    }
    assertThat(t.ended(EndReason.RST)).isEqualTo(flows);
    assertThat(t.size()).isEqualTo(100);
    assertThat(t.dueListed())
        .as("closed flows kept for their linger, dead ones dropped as they add up")
        .isLessThanOrEqualTo(100 + 2 * DueFlows.DEAD_SLACK);
  }

  @Test
  void aFlowWhosePacketsComeBehindTheClockGetsNoRecordPerPacket() {
    FlowTable t = table();
    t.offer(tcp(T0 + 1000 * MS, 1, 40000, 2, 8000, ACK, 10)); // the clock is at 1 s
    for (int i = 0; i < 100; i++) { // another flow's packets, a second behind it, 0.1 ms apart
      t.offer(tcp(T0 + i * 100, 11, 40001, 12, 8000, ACK, 10));
    }
    assertThat(records)
        .as("interim records come every 10 ms of the flow's own time: none in its 9.9 ms")
        .noneMatch(r -> r.srcPort() == 40001);
  }

  @Test
  void packetsFromBeforeAnEndedFlowOfTheSameAddressesAreAnotherConnection() {
    FlowTable t = table();
    t.offer(tcp(T0 + 1000 * MS, 11, 41011, 12, 8000, SYN, 0));
    t.offer(tcp(T0 + 1000 * MS + 10, 12, 8000, 11, 41011, SYN | ACK, 0));
    t.offer(tcp(T0 + 1001 * MS, 11, 41011, 12, 8000, FIN | ACK, 0));
    t.offer(tcp(T0 + 1001 * MS + 10, 12, 8000, 11, 41011, FIN | ACK, 0));
    assertThat(records).hasSize(1); // ended on FIN, lingering for its trailing packets
    // the same addresses and ports a quarter of an hour earlier: files concatenated out of order
    t.offer(tcp(T0, 11, 41011, 12, 8000, ACK, 1000));
    t.offer(tcp(T0 + 1, 11, 41011, 12, 8000, ACK, 1000));
    t.flush(EndReason.END_OF_CAPTURE);
    assertThat(records)
        .as("not swallowed as the ended flow's trailing packets")
        .hasSize(2)
        .last()
        .satisfies(r -> assertThat(r.srcToDst().packets()).isEqualTo(2));
  }

  @Test
  void packetsAnIdleTimeoutBeforeAnOpenFlowBeganAreAnotherConnection() {
    FlowTable t = table(); // idle timeout 20 ms
    t.offer(tcp(T0 + 1000 * MS, 11, 41011, 12, 8000, ACK, 100)); // never closes
    // a packet a little before the open flow's first (two interfaces' captures merged): the flow's
    t.offer(tcp(T0 + 1000 * MS - 5 * MS, 11, 41011, 12, 8000, ACK, 100));
    // the same addresses and ports a second earlier: files concatenated out of order
    t.offer(tcp(T0, 11, 41011, 12, 8000, ACK, 1000));
    t.offer(tcp(T0 + 1, 11, 41011, 12, 8000, ACK, 1000));
    t.flush(EndReason.END_OF_CAPTURE);
    assertThat(records.stream().filter(FlowRecord::last).toList())
        .extracting(r -> r.srcToDst().packets())
        .as("the earlier connection's packets are not the open flow's")
        .containsExactly(2L, 2L);
  }

  @Test
  void aTrailingPacketWithinTheLingerIsStillSwallowed() {
    FlowTable t = table();
    t.offer(tcp(T0, 11, 41011, 12, 8000, SYN, 0));
    t.offer(tcp(T0 + 10, 12, 8000, 11, 41011, SYN | ACK, 0));
    t.offer(tcp(T0 + MS, 11, 41011, 12, 8000, FIN | ACK, 0));
    t.offer(tcp(T0 + MS + 10, 12, 8000, 11, 41011, FIN | ACK, 0));
    t.offer(tcp(T0 + 2 * MS, 11, 41011, 12, 8000, ACK, 0)); // the last ACK, 1 ms later
    t.flush(EndReason.END_OF_CAPTURE);
    assertThat(records).hasSize(1);
  }
}
