package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.record.PortCatalog;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounded table of live flows, driven only by packet timestamps so that the same capture always gives
 * the same records. Writes an interim record of a flow every {@code activeTimeout} while it carries
 * traffic, one more as soon as a direction's payload sample is full (its verdict is then known, so the
 * analyzer can judge a migration milliseconds into it), and a final one when it ends (FIN from both sides, RST, idle timeout, eviction, end of
 * capture). When full, a new flow evicts the least recently seen one: scans and floods of one-packet
 * flows are evicted before a busy migration stream is.
 */
public final class FlowTable {
  private static final int TCP = 6;
  private static final int UDP = 17;
  /** Ports below this are taken as server ports when no handshake was seen (IANA system ports). */
  private static final int SYSTEM_PORT_LIMIT = 1024;
  /** The map grows from here as flows arrive; a short capture should not pay for a large table. */
  private static final int INITIAL_CAPACITY = 1024;

  private final FlowTableConfig config;
  private final PortCatalog catalog;
  private final String agent;
  private final String iface;
  private final FlowRecordSink sink;
  private final int sampleBytes;
  private final int sampleBytesPerPacket;
  private final LinkedHashMap<FlowKey, FlowEntry> flows;
  private final Map<EndReason, Long> ended = new EnumMap<>(EndReason.class);
  private final long activeMicros;
  private final long idleMicros;
  private final long lingerMicros;
  private long nextSweepMicros = Long.MIN_VALUE;
  private long clockMicros = Long.MIN_VALUE;
  private long recordsWritten;

  public FlowTable(FlowTableConfig config, PortCatalog catalog, String agent, String iface, FlowRecordSink sink,
      int sampleBytes, int sampleBytesPerPacket) {
    this.config = config;
    this.catalog = catalog;
    this.agent = agent;
    this.iface = iface;
    this.sink = sink;
    this.sampleBytes = sampleBytes;
    this.sampleBytesPerPacket = sampleBytesPerPacket;
    this.flows = new LinkedHashMap<>(Math.min(config.maxFlows(), INITIAL_CAPACITY), 0.75f, true);
    this.activeMicros = config.activeTimeout().toNanos() / 1000;
    this.idleMicros = config.idleTimeout().toNanos() / 1000;
    this.lingerMicros = config.closedLinger().toNanos() / 1000;
  }

  /** Adds one decoded IP packet. */
  public void offer(DecodedPacket p) {
    if (p.timestampMicros > clockMicros) {
      clockMicros = p.timestampMicros;
    }
    track(p);
    sweepIfDue();
  }

  private void track(DecodedPacket p) {
    FlowKey key = FlowKey.of(p);
    boolean fromA = FlowKey.sourceIsA(p);
    FlowEntry e = flows.get(key);
    if (e != null && e.closed()) {
      if (!isOpeningSyn(p)) {
        return; // trailing ACKs and retransmissions of a flow already reported as ended
      }
      flows.remove(key);
      e = null;
    }
    if (e == null) {
      e = open(key, p, fromA);
    }
    e.add(p, fromA);
    EndReason close = e.closeReason();
    if (close != null) {
      end(e, close);
    } else if (clockMicros - e.lastExportMicros() >= activeMicros || e.sampleFilledNow()) {
      emit(e, null);
    }
  }

  /** Ends every flow (end of a capture file, or shutdown) with final records. */
  public void flush(EndReason reason) {
    for (FlowEntry e : flows.values()) {
      if (!e.closed()) {
        count(reason);
        emit(e, reason);
      }
    }
    flows.clear();
  }

  /** Flows currently tracked (including recently closed ones still absorbing trailing packets). */
  public int size() {
    return flows.size();
  }

  /** Flows that ended for this reason so far. */
  public long ended(EndReason reason) {
    return ended.getOrDefault(reason, 0L);
  }

  public long recordsWritten() {
    return recordsWritten;
  }

  private FlowEntry open(FlowKey key, DecodedPacket p, boolean fromA) {
    if (flows.size() >= config.maxFlows()) {
      Iterator<FlowEntry> eldest = flows.values().iterator();
      FlowEntry victim = eldest.next();
      eldest.remove();
      if (!victim.closed()) {
        count(EndReason.EVICTED);
        emit(victim, EndReason.EVICTED);
      }
    }
    boolean initiatorIsA;
    String evidence;
    boolean syn = (p.tcpFlags & TcpFlagNames.SYN) != 0;
    boolean ack = (p.tcpFlags & TcpFlagNames.ACK) != 0;
    String protocolAtDst = protocolOf(p, p.dstPort);
    String protocolAtSrc = protocolOf(p, p.srcPort);
    if (p.ipProtocol == TCP && syn) {
      initiatorIsA = ack != fromA; // SYN: sender opened it; SYN+ACK: the receiver did
      evidence = "syn";
    } else if (protocolAtDst != null || protocolAtSrc != null) {
      initiatorIsA = (protocolAtDst != null) == fromA;
      evidence = "port";
    } else if ((p.dstPort < SYSTEM_PORT_LIMIT) != (p.srcPort < SYSTEM_PORT_LIMIT) && p.dstPort != 0) {
      initiatorIsA = (p.dstPort < SYSTEM_PORT_LIMIT) == fromA;
      evidence = "port";
    } else {
      initiatorIsA = fromA;
      evidence = "first-packet";
    }
    boolean senderIsInitiator = initiatorIsA == fromA;
    String protocol = senderIsInitiator ? protocolAtDst : protocolAtSrc;
    FlowEntry e = new FlowEntry(key, p, initiatorIsA, evidence, protocol, sampleBytes, sampleBytesPerPacket);
    flows.put(key, e);
    return e;
  }

  private String protocolOf(DecodedPacket p, int port) {
    if (p.ipProtocol != TCP && p.ipProtocol != UDP) {
      return null;
    }
    return catalog.protocolOf(p.ipProtocol == TCP ? "tcp" : "udp", port);
  }

  private static boolean isOpeningSyn(DecodedPacket p) {
    return p.ipProtocol == TCP && (p.tcpFlags & (TcpFlagNames.SYN | TcpFlagNames.ACK)) == TcpFlagNames.SYN;
  }

  private void sweepIfDue() {
    if (nextSweepMicros == Long.MIN_VALUE) {
      nextSweepMicros = clockMicros + activeMicros;
    } else if (clockMicros >= nextSweepMicros) {
      sweep();
      nextSweepMicros = clockMicros + activeMicros;
    }
  }

  /** Ends idle flows, drops closed ones past their linger, and writes due interim records. */
  private void sweep() {
    Iterator<FlowEntry> it = flows.values().iterator();
    while (it.hasNext()) {
      FlowEntry e = it.next();
      long quiet = clockMicros - e.lastSeenMicros();
      if (e.closed()) {
        if (quiet >= lingerMicros) {
          it.remove();
        }
      } else if (quiet >= idleMicros) {
        it.remove();
        count(EndReason.IDLE);
        emit(e, EndReason.IDLE);
      } else if (e.dirty() && clockMicros - e.lastExportMicros() >= activeMicros) {
        emit(e, null);
      }
    }
  }

  private void end(FlowEntry e, EndReason reason) {
    count(reason);
    emit(e, reason);
    e.markClosed();
  }

  private void count(EndReason reason) {
    ended.merge(reason, 1L, Long::sum);
  }

  private void emit(FlowEntry e, EndReason reason) {
    recordsWritten++;
    sink.accept(e.export(agent, iface, reason));
  }
}
