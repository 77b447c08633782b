package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.record.PortCatalog;

/**
 * Bounded table of live flows, driven only by packet timestamps so that the same capture always
 * gives the same records. Writes an interim record of a flow every {@code activeTimeout} while it
 * carries traffic, one more as soon as a direction's payload sample is full (its verdict is then
 * known, so the analyzer can judge a migration milliseconds into it), and a final one when it ends
 * (FIN from both sides, RST, idle timeout, eviction, end of capture). When full, a new flow evicts
 * a closed or one-packet flow among the least recently seen, else one that is not a migration-port
 * flow with a handshake, else the least recently seen: scans and floods of one-packet flows are
 * evicted before a migration stream is (see {@link RecencyList#victim}).
 *
 * <p>The packet path allocates nothing for a packet of a known flow: flows live in an
 * open-addressing {@link FlowSlots} probed with the packet's own fields, and a recency list
 * threaded through the entries replaces {@code LinkedHashMap}'s access order.
 */
public final class FlowTable {
  private static final int TCP = 6;
  private static final int UDP = 17;

  /** Ports below this are taken as server ports when no handshake was seen (IANA system ports). */
  private static final int SYSTEM_PORT_LIMIT = 1024;

  /**
   * The lowest port a system gives a client by default (Linux's ip_local_port_range; Windows, the
   * BSDs and IANA's dynamic range start higher, at 49152).
   */
  private static final int EPHEMERAL_PORTS_START = 32768;

  private final FlowTableConfig config;
  private final PortCatalog catalog;
  private final String agent;
  private final String iface;
  private final FlowRecordSink sink;
  private final int sampleBytes;
  private final int sampleBytesPerPacket;

  private final FlowSlots flows;
  private long refused;
  private long continuedFlows;
  private final FlowTraitsCache traits = new FlowTraitsCache();

  private final ReopenedFlows reopened;
  private final ContinuedConnections connections;
  private final RecencyList recency = new RecencyList();
  private final DueFlows due = new DueFlows(recency);
  private final long[] ended = new long[EndReason.values().length];
  private final long activeMicros;
  private final long idleMicros;
  private final long lingerMicros;
  private long nextSweepMicros = Long.MIN_VALUE;
  private long clockMicros = Long.MIN_VALUE;
  private long recordsWritten;

  public FlowTable(
      FlowTableConfig config,
      PortCatalog catalog,
      String agent,
      String iface,
      FlowRecordSink sink,
      int sampleBytes,
      int sampleBytesPerPacket) {
    this.config = config;
    this.catalog = catalog;
    this.agent = agent;
    this.iface = iface;
    this.sink = sink;
    this.sampleBytes = sampleBytes;
    this.sampleBytesPerPacket = sampleBytesPerPacket;
    this.flows = new FlowSlots(config.maxFlows());
    this.activeMicros = config.activeTimeout().toNanos() / 1000;
    this.idleMicros = config.idleTimeout().toNanos() / 1000;
    this.lingerMicros = config.closedLinger().toNanos() / 1000;
    this.reopened = new ReopenedFlows(lingerMicros);
    this.connections = new ContinuedConnections();
  }

  /** Adds one decoded IP packet. */
  public void offer(DecodedPacket p) {
    if (p.timestampMicros > clockMicros) {
      clockMicros = p.timestampMicros;
    } else {
      due.late(clockMicros - p.timestampMicros);
    }
    track(p);
    sweepIfDue();
  }

  /**
   * Moves the table's packet clock to {@code timestampMicros} (if later) as a packet of another
   * table would, without a packet of this one: timeouts and interim records then fall due exactly
   * as in one table that saw every packet. Capture workers ({@code io.migaudit.agent.dispatch})
   * call it for the packets another worker's table takes.
   */
  public void tick(long timestampMicros) {
    if (timestampMicros > clockMicros) {
      clockMicros = timestampMicros;
    }
    sweepIfDue();
  }

  /**
   * True while the table holds the flow of {@code key}, open or closed and lingering for its late
   * packets; a flow it ended (timed out, closed long enough, evicted) is no longer held.
   */
  public boolean holds(FlowKey key) {
    DecodedPacket probe = new DecodedPacket();
    probe.reset();
    probe.ipVersion = key.ipVersion();
    probe.ipProtocol = key.ipProtocol();
    probe.vlan = key.vlan();
    probe.srcHi = key.aHi();
    probe.srcLo = key.aLo();
    probe.srcPort = key.aPort();
    probe.dstHi = key.bHi();
    probe.dstLo = key.bLo();
    probe.dstPort = key.bPort();
    return flows.find(probe, true, FlowKey.hash(probe, true)) != null;
  }

  private void track(DecodedPacket p) {
    boolean fromA = FlowKey.sourceIsA(p);
    int hash = FlowKey.hash(p, fromA);
    FlowEntry e = flows.find(p, fromA, hash);
    FlowEntry closedEarly = null;
    FlowEntry reopenedOver = null;
    String closedConnection = null;
    ReopenedFlows.Followed[] followedBefore = null;
    if (e != null
        && !e.closed()
        && (p.timestampMicros - e.lastSeenMicros() >= idleMicros
            || e.firstSeenMicros() - p.timestampMicros >= idleMicros)) {
      // idle past the timeout when this packet came: the sweep that ends such a flow runs after a
      // packet, and none of another flow moved the clock past the timeout before this one (a quiet
      // link, a capture whose next connection on the same ports comes hours later). Or the packet
      // is an idle timeout or more older than the flow's first (capture files concatenated out of
      // order, a clock stepped back): another connection, as a packet before an ended flow is. It
      // ends as the sweep would have ended it, and this packet starts a flow of its own.
      count(EndReason.IDLE);
      emit(e, EndReason.IDLE);
      remove(e);
      e = null;
    }
    if (e != null) {
      recency.touch(e);
      if (e.closed()) {
        boolean syn = isOpeningSyn(p);
        boolean soon = trails(e, p);
        boolean reopening = syn && soon;
        if (reopening && e.answeredBy(fromA)) {
          // a SYN from the side that answered the handshake, on its own listening port, at once: a
          // forged one, which would make the connection's server its client (the migration a
          // "download" to its destination, on no catalog port), so the data after it goes on
          return;
        }
        boolean trailing = !syn && soon;
        if (trailing && !e.continuedBy(p, fromA)) {
          return; // trailing ACKs and retransmissions of a flow already reported as ended
        }
        closedEarly = trailing ? e : null; // new data after the close: the hosts did not close
        if (reopening && e.resumedBySyn(p, fromA)) {
          closedEarly = e; // a SYN on the stream's own next byte: the connection goes on behind it
        } else if (reopening) {
          // a new connection on the same ports at once, or a forged SYN after a forged close: the
          // new flow keeps the closed one in case the connection goes on behind it
          reopenedOver = e;
          followedBefore = reopened.followedBy(e);
        }
        if (closedEarly != null || reopenedOver != null) {
          closedConnection = connections.of(e);
        }
        remove(e);
        e = null;
      } else if (!reopened.isEmpty()) {
        ReopenedFlows.Followed over = reopened.continued(e, p, fromA);
        if (over != null) { // neither the close nor the SYN after it was honoured
          continueConnection(e, over.flow(), over.connection());
        }
      }
    }
    if (e == null) {
      e = open(p, fromA, hash);
      if (e == null) {
        return; // refused: its probe run is full (see FlowSlots)
      }
      if (closedEarly != null) {
        continueConnection(e, closedEarly, closedConnection);
      } else if (reopenedOver != null) {
        reopened.opened(
            e,
            new ReopenedFlows.Followed(reopenedOver, closedConnection),
            followedBefore,
            p.timestampMicros);
      }
    }
    e.add(p, fromA, sampleBytes, sampleBytesPerPacket);
    EndReason close = e.closeReason();
    if (close != null) {
      end(e, close);
    } else if (p.timestampMicros - e.lastExportMicros() >= activeMicros || e.sampleFilledNow()) {
      // the flow's own time, not the table's clock: a flow whose packets come behind the clock
      // (a capture whose time steps back, files concatenated out of order) would otherwise be due
      // at every packet, and write a record for each
      emit(e, null);
    }
  }

  /**
   * {@code e} takes over the streams and samples of {@code closed}, on the same connection: the one
   * {@code closed} went on ({@code connection}), else the one it began.
   */
  private void continueConnection(FlowEntry e, FlowEntry closed, String connection) {
    if (e.continueFrom(closed)) {
      continuedFlows++;
      connections.continued(e, connection != null ? connection : closed.flowId());
    }
  }

  /** Ends every flow (end of a capture file, or shutdown) with final records. */
  public void flush(EndReason reason) {
    for (FlowEntry e = recency.eldest(); e != null; e = e.newer) {
      if (!e.closed()) {
        count(reason);
        emit(e, reason);
      }
    }
    flows.clear();
    recency.clear();
    due.clear();
    reopened.clear();
    connections.clear();
  }

  /** The bounds and timeouts this table runs by. */
  public FlowTableConfig config() {
    return config;
  }

  /** Flows currently tracked (including recently closed ones still absorbing trailing packets). */
  public int size() {
    return flows.size();
  }

  /** Flows the sweep's lists hold, including some that left the table (tests). */
  int dueListed() {
    return due.listed();
  }

  /** Flows that keep closed flows of their key in case the connection goes on (tests). */
  int followingClosed() {
    return reopened.size();
  }

  /** Flows of the table that go on an earlier flow's connection (tests). */
  int continuing() {
    return connections.size();
  }

  /** Flows that ended for this reason so far. */
  public long ended(EndReason reason) {
    return ended[reason.ordinal()];
  }

  public long recordsWritten() {
    return recordsWritten;
  }

  /**
   * New flows not tracked because their probe run was full at the largest table (see {@link
   * FlowSlots}).
   */
  public long refusedFlows() {
    return refused;
  }

  /**
   * Flows that went on after a RST or FIN the hosts did not honour: new data of the connection came
   * after the close, and a flow of its own took over its streams and samples ({@link
   * FlowEntry#continueFrom}).
   */
  public long continuedFlows() {
    return continuedFlows;
  }

  private FlowEntry open(DecodedPacket p, boolean fromA, int hash) {
    if (flows.size() >= config.maxFlows()) {
      FlowEntry victim = recency.victim();
      if (!victim.closed()) {
        count(EndReason.EVICTED);
        emit(victim, EndReason.EVICTED);
      }
      remove(victim);
    }
    boolean initiatorIsA;
    int evidence;
    boolean syn = (p.tcpFlags & TcpFlagNames.SYN) != 0;
    boolean ack = (p.tcpFlags & TcpFlagNames.ACK) != 0;
    String protocolAtDst = protocolOf(p, p.dstPort);
    String protocolAtSrc = protocolOf(p, p.srcPort);
    if (p.ipProtocol == TCP && syn && (ack || !fromServerPort(p, protocolAtSrc, protocolAtDst))) {
      initiatorIsA = ack != fromA; // SYN: sender opened it; SYN+ACK: the receiver did
      evidence = FlowTraits.EVIDENCE_SYN;
    } else if (protocolAtDst != null || protocolAtSrc != null) {
      initiatorIsA = (protocolAtDst != null) == fromA;
      evidence = FlowTraits.EVIDENCE_PORT;
    } else if ((p.dstPort < SYSTEM_PORT_LIMIT) != (p.srcPort < SYSTEM_PORT_LIMIT)
        && p.dstPort != 0) {
      initiatorIsA = (p.dstPort < SYSTEM_PORT_LIMIT) == fromA;
      evidence = FlowTraits.EVIDENCE_PORT;
    } else {
      initiatorIsA = fromA;
      evidence = FlowTraits.EVIDENCE_FIRST_PACKET;
    }
    boolean senderIsInitiator = initiatorIsA == fromA;
    String protocol = senderIsInitiator ? protocolAtDst : protocolAtSrc;
    FlowEntry e = new FlowEntry(p, fromA, hash, traits.of(p, initiatorIsA, evidence, protocol));
    if (!flows.add(e)) {
      refused++;
      return null;
    }
    recency.append(e);
    return e;
  }

  /**
   * True when the SYN {@code p} comes from a migration port of the catalog to a port no catalog
   * lists and no well-known service uses, from a port no client would be given by its system (below
   * {@link #EPHEMERAL_PORTS_START}) or to one a client would: a forged SYN from a migration
   * server's listening port, which would make the migration's destination its client and the
   * migration a "download" on no catalog port (a capture that lost the real handshake, or one whose
   * flow was let go). Such a flow is told by its ports, as one seen mid-stream is.
   */
  private static boolean fromServerPort(
      DecodedPacket p, String protocolAtSrc, String protocolAtDst) {
    return protocolAtSrc != null
        && protocolAtDst == null
        && p.dstPort >= SYSTEM_PORT_LIMIT
        && (p.srcPort < EPHEMERAL_PORTS_START || p.dstPort >= EPHEMERAL_PORTS_START);
  }

  private String protocolOf(DecodedPacket p, int port) {
    if (p.ipProtocol != TCP && p.ipProtocol != UDP) {
      return null;
    }
    return catalog.protocolOf(p.ipProtocol == TCP ? "tcp" : "udp", port);
  }

  /**
   * True when {@code p} may trail the ended flow {@code e}: it comes after the flow's first packet
   * and within the linger of its last. A packet from before the flow began (a capture whose time
   * stepped back, files concatenated out of order) or past the linger (the sweep that drops the
   * flow had not come yet) belongs to another connection on the same addresses and ports.
   */
  private boolean trails(FlowEntry e, DecodedPacket p) {
    return p.timestampMicros >= e.firstSeenMicros()
        && p.timestampMicros - e.lastSeenMicros() < lingerMicros;
  }

  private static boolean isOpeningSyn(DecodedPacket p) {
    return p.ipProtocol == TCP
        && (p.tcpFlags & (TcpFlagNames.SYN | TcpFlagNames.ACK)) == TcpFlagNames.SYN;
  }

  private void sweepIfDue() {
    if (nextSweepMicros == Long.MIN_VALUE) {
      nextSweepMicros = clockMicros + activeMicros;
    } else if (clockMicros >= nextSweepMicros) {
      sweep();
      nextSweepMicros = clockMicros + activeMicros;
    }
  }

  /**
   * Ends idle flows, drops closed ones past their linger, and writes due interim records, visiting
   * only flows that may have something due (see {@link DueFlows}) rather than every tracked flow:
   * the same records as a walk over the whole table, in another order.
   */
  private void sweep() {
    sweepIdle();
    if (!reopened.isEmpty()) {
      reopened.prune(clockMicros);
    }
    for (FlowEntry e : due.takeClosing()) {
      if (recency.contains(e) && clockMicros - e.lastSeenMicros() < lingerMicros) {
        due.closing(e); // still absorbing trailing packets
      } else if (recency.contains(e)) {
        remove(e);
      }
    }
    for (FlowEntry e : due.takePending()) {
      e.sweepPending(false);
      sweepActive(e);
    }
    FlowEntry mark = recency.mark();
    for (FlowEntry e = mark == null ? recency.eldest() : mark.newer; e != null; e = e.newer) {
      sweepActive(e);
    }
    recency.markAll();
  }

  /**
   * Ends the idle flows: open flows are in the recency list by last packet, give or take how late a
   * packet ever came ({@link DueFlows#lateMicros}), so the walk stops at the first one that cannot
   * be idle; closed flows on the way are left to their linger.
   */
  private void sweepIdle() {
    long stop = idleMicros - due.lateMicros();
    FlowEntry next;
    for (FlowEntry e = recency.eldest(); e != null; e = next) {
      next = e.newer;
      long quiet = clockMicros - e.lastSeenMicros();
      if (e.closed()) {
        continue;
      }
      if (quiet < stop) {
        return;
      }
      if (quiet >= idleMicros) {
        count(EndReason.IDLE);
        emit(e, EndReason.IDLE);
        remove(e);
      }
    }
  }

  /** Writes an open flow's interim record if due; keeps it for the next sweep if it is not yet. */
  private void sweepActive(FlowEntry e) {
    if (!recency.contains(e) || e.closed() || !e.dirty()) {
      return;
    }
    if (clockMicros - e.lastExportMicros() >= activeMicros) {
      emit(e, null);
    } else if (!e.sweepPending()) {
      e.sweepPending(true);
      due.pending(e);
    }
  }

  /** Takes {@code e} out of the table, after its last record. */
  private void remove(FlowEntry e) {
    if (!reopened.isEmpty()) {
      reopened.removed(e);
    }
    if (!connections.isEmpty()) {
      connections.removed(e);
    }
    flows.remove(e);
    recency.unlink(e);
    due.removed(e);
  }

  private void end(FlowEntry e, EndReason reason) {
    count(reason);
    emit(e, reason);
    e.markClosed();
    due.closing(e);
  }

  private void count(EndReason reason) {
    ended[reason.ordinal()]++;
  }

  private void emit(FlowEntry e, EndReason reason) {
    recordsWritten++;
    sink.accept(e.export(agent, iface, reason, connections.of(e)));
  }
}
