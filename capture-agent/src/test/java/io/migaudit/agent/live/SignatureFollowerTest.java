package io.migaudit.agent.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.flow.FlowTableConfig;
import io.migaudit.agent.source.CaptureFilter;
import io.migaudit.agent.source.Refilterable;
import io.migaudit.record.PortCatalog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the live agent widens its filter to a connection, and when it narrows it back. */
class SignatureFollowerTest {
  private static final String OPENED = CaptureFilter.of(PortCatalog.builtIn(), null);
  private static final byte[] QEMU_OPENING = {'Q', 'E', 'V', 'M', 0, 0, 0, 3, 7};
  private static final int TCP = 6;
  private static final int SYN = 0x02;
  private static final int ACK = 0x10;
  private static final long SECOND = 1_000_000;

  /** A capture that records the filters set; its frames pass the scope as {@code inside} says. */
  private static final class FakeCapture implements Refilterable {
    final List<String> filters = new ArrayList<>();
    final List<String> checked = new ArrayList<>();
    boolean inside;
    boolean refuse;

    /** How long a refilter takes on {@link #clock}, when one is given. */
    long compileNanos;

    long[] clock;

    @Override
    public String openedFilter() {
      return OPENED;
    }

    @Override
    public boolean lastFramePasses(String filter) {
      checked.add(filter);
      return inside;
    }

    @Override
    public void refilter(String filter) throws IOException {
      if (refuse) {
        throw new IOException("lo: cannot set the capture filter: Invalid argument");
      }
      if (clock != null) {
        clock[0] += compileNanos;
      }
      filters.add(filter);
    }
  }

  private final FakeCapture capture = new FakeCapture();
  private final PipelineCounters counters = new PipelineCounters();
  private final SignatureFollower follower = new SignatureFollower(capture, "lo", counters);
  private final FlowTable table =
      new FlowTable(
          FlowTableConfig.defaults(), PortCatalog.builtIn(), "test", "lo", r -> {}, 65536, 1500);

  /** A TCP/IPv4 segment 10.0.0.SRC:SPORT -> 10.0.0.DST:DPORT carrying {@code payload}. */
  private static DecodedPacket segment(
      long micros, int src, int srcPort, int dst, int dstPort, int flags, byte[] payload) {
    DecodedPacket p = new DecodedPacket();
    p.reset();
    p.timestampMicros = micros;
    p.ipVersion = 4;
    p.ipProtocol = TCP;
    p.srcLo = 0x0A000000L | src;
    p.dstLo = 0x0A000000L | dst;
    p.srcPort = srcPort;
    p.dstPort = dstPort;
    p.tcpFlags = flags;
    p.tcpSeq = 1000;
    p.ipLength = 40 + payload.length;
    p.frame = ByteBuffer.wrap(payload);
    p.payloadOffset = 0;
    p.payloadCapturedLength = payload.length;
    p.payloadWireLength = payload.length;
    return p;
  }

  private void see(DecodedPacket p) {
    table.offer(p);
    follower.saw(p, table);
  }

  @Test
  void followsAnOpeningOutsideTheScopeOnceAndNarrowsWhenTheTableNoLongerHoldsIt() {
    see(segment(SECOND, 1, 40000, 9, 4444, ACK, QEMU_OPENING));
    see(segment(SECOND + 10, 1, 40000, 9, 4444, ACK, QEMU_OPENING)); // a retransmission

    assertThat(capture.checked)
        .as("the scope the opening is judged against: the filter without its openings clause")
        .containsExactly(CaptureFilter.withoutOpenings(OPENED));
    assertThat(CaptureFilter.withoutOpenings(OPENED)).isNotEqualTo(OPENED);
    assertThat(capture.filters).hasSize(1);
    assertThat(capture.filters.get(0))
        .startsWith("(" + OPENED.substring(1, OPENED.indexOf(") or (vlan and (")))
        .contains(
            "(src host 10.0.0.1 and src port 40000 and dst host 10.0.0.9 and dst port 4444)",
            "(src host 10.0.0.9 and src port 4444 and dst host 10.0.0.1 and dst port 40000)");
    assertThat(follower.following()).isEqualTo(1);
    assertThat(counters.connectionsFollowed()).isEqualTo(1);

    // the pages go on: nothing changes while the table holds the flow
    see(segment(3 * SECOND, 1, 40000, 9, 4444, ACK, new byte[1000]));
    assertThat(capture.filters).hasSize(1);

    // an hour later another flow moves the clock: the table ended the idle one
    see(segment(3600 * SECOND, 2, 50000, 3, 8000, SYN, new byte[0]));
    see(segment(3602 * SECOND, 2, 50000, 3, 8000, ACK, new byte[0]));
    assertThat(follower.following()).isZero();
    assertThat(capture.filters).hasSize(2);
    assertThat(capture.filters.get(1)).as("narrowed back").isEqualTo(OPENED);
  }

  @Test
  void leavesAloneOpeningsInsideTheScopeAndSegmentsThatOpenNothing() {
    capture.inside = true;
    see(segment(SECOND, 1, 40000, 9, 8000, ACK, QEMU_OPENING));
    capture.inside = false;
    see(segment(SECOND, 1, 40001, 9, 4444, ACK, "GET / HTTP/1.1".getBytes(StandardCharsets.UTF_8)));
    see(segment(SECOND, 1, 40002, 9, 4444, ACK, new byte[] {'Q', 'E', 'V'}));
    DecodedPacket udp = segment(SECOND, 1, 40004, 9, 4444, 0, QEMU_OPENING);
    udp.ipProtocol = 17;
    see(udp);

    assertThat(capture.filters).isEmpty();
    assertThat(capture.checked).as("only the opening was judged against the scope").hasSize(1);
    assertThat(counters.connectionsFollowed()).isZero();
  }

  /**
   * Forged openings, many at once: after each recompile (10 ms here) the follower begins none for
   * 19 times as long, so recompiling takes at most a twentieth of the capture's time; and it
   * follows at most 16 connections at once.
   */
  @Test
  void boundsTheTimeSpentRecompilingAndTheConnectionsFollowed() {
    long[] nanos = {0};
    capture.compileNanos = 10_000_000;
    capture.clock = nanos;
    SignatureFollower timed = new SignatureFollower(capture, "lo", counters, () -> nanos[0]);
    int port = 20000;
    for (int i = 0; i < 20; i++) { // within a millisecond
      DecodedPacket p = segment(SECOND + 50 * i, 1, port++, 9, 4444, ACK, QEMU_OPENING);
      table.offer(p);
      timed.saw(p, table);
    }
    assertThat(timed.following()).as("one, then the pause").isEqualTo(1);
    assertThat(counters.followsRefused()).isEqualTo(19);

    long pause = SignatureFollower.PAUSE_PER_COMPILE * 10_000; // micros
    DecodedPacket inPause = segment(SECOND + pause - 1, 1, port++, 9, 4444, ACK, QEMU_OPENING);
    table.offer(inPause);
    timed.saw(inPause, table);
    assertThat(timed.following()).isEqualTo(1);
    for (int i = 0; i < 30; i++) { // one opening a pause apart
      DecodedPacket p = segment(SECOND + (i + 1) * pause, 1, port++, 9, 4444, ACK, QEMU_OPENING);
      table.offer(p);
      timed.saw(p, table);
    }
    assertThat(timed.following()).isEqualTo(SignatureFollower.MAX_FOLLOWED);
    assertThat(counters.connectionsFollowed()).isEqualTo(SignatureFollower.MAX_FOLLOWED);
    assertThat(counters.followsRefused()).isEqualTo(19 + 1 + 31 - SignatureFollower.MAX_FOLLOWED);
    assertThat(capture.filters).hasSize(SignatureFollower.MAX_FOLLOWED);
  }

  /** Narrowing recompiles as well: it waits for the pause of the recompile before it. */
  @Test
  void narrowsOnlyOnceTheLastRecompilesPauseIsOver() {
    long[] nanos = {0};
    capture.compileNanos = 200_000_000; // a pause of 3.8 s
    capture.clock = nanos;
    SignatureFollower timed = new SignatureFollower(capture, "lo", counters, () -> nanos[0]);
    int rst = 0x04;
    DecodedPacket[] packets = {
      segment(SECOND, 1, 40000, 9, 4444, ACK, QEMU_OPENING),
      segment(SECOND + 1000, 9, 4444, 1, 40000, rst, new byte[0]),
      // the closed flow lingers 2 s; these move the clock past it
      segment(3 * SECOND + 500_000, 2, 50000, 3, 8000, SYN, new byte[0]),
      segment(4 * SECOND, 2, 50000, 3, 8000, ACK, new byte[0])
    };
    for (DecodedPacket p : packets) {
      table.offer(p);
      timed.saw(p, table);
    }
    assertThat(timed.following()).as("ended, but the pause lasts until 4.8 s").isEqualTo(1);
    DecodedPacket after = segment(5 * SECOND, 2, 50000, 3, 8000, ACK, new byte[0]);
    table.offer(after);
    timed.saw(after, table);
    assertThat(timed.following()).isZero();
    assertThat(capture.filters).last().isEqualTo(OPENED);
  }

  @Test
  void aFilterTheKernelRefusesLeavesTheConnectionUnfollowed() {
    capture.refuse = true;
    see(segment(SECOND, 1, 40000, 9, 4444, ACK, QEMU_OPENING));

    assertThat(follower.following()).isZero();
    assertThat(counters.connectionsFollowed()).isZero();

    capture.refuse = false;
    see(segment(2 * SECOND, 1, 40000, 9, 4444, ACK, QEMU_OPENING));
    assertThat(follower.following()).as("tried again at its next opening").isEqualTo(1);
  }
}
