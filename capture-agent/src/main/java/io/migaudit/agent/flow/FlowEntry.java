package io.migaudit.agent.flow;

import io.migaudit.agent.classify.PayloadClassifier;
import io.migaudit.agent.classify.PayloadSample;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.Layer;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.SchemaVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Mutable state of one tracked flow. Directions are "initiator" (client) and "responder" (server). */
final class FlowEntry {
  static final int IP_PROTOCOL_ESP = 50;

  private final FlowKey key;
  private final boolean initiatorIsA;
  private final String initiatorEvidence;
  private final String protocol;
  private final int outerVlan;
  private final Layer[] layers;
  private final long firstSeenMicros;
  private final PayloadSample initiatorSample;
  private final PayloadSample responderSample;
  private boolean sampleFullExported;

  private long lastSeenMicros;
  private long lastExportMicros;
  private long seq;
  private boolean dirty;
  private int tcpFlags;
  private boolean initiatorFin;
  private boolean responderFin;
  private boolean closed;
  private String flowId;
  private String src;
  private String dst;
  private final long[] packets = new long[2];
  private final long[] bytes = new long[2];
  private final long[] payloadBytes = new long[2];

  FlowEntry(FlowKey key, DecodedPacket first, boolean initiatorIsA, String initiatorEvidence, String protocol,
      int sampleBytes, int sampleBytesPerPacket) {
    this.key = key;
    this.initiatorIsA = initiatorIsA;
    this.initiatorEvidence = initiatorEvidence;
    this.protocol = protocol;
    this.outerVlan = first.outerVlan;
    this.layers = java.util.Arrays.copyOf(first.layers, first.layerCount);
    this.firstSeenMicros = first.timestampMicros;
    this.lastSeenMicros = first.timestampMicros;
    this.lastExportMicros = first.timestampMicros;
    this.initiatorSample = new PayloadSample(sampleBytes, sampleBytesPerPacket);
    this.responderSample = new PayloadSample(sampleBytes, sampleBytesPerPacket);
  }

  /**
   * True once, at the packet that fills a direction's payload sample: the statistics behind the
   * verdict are complete, so a record now carries the verdict that a record after the active timeout
   * would (a later change of the payload shows in later records through the re-sample window). Lets
   * the first record of a migration, and so its alert, come milliseconds after its payload starts
   * rather than one active timeout later.
   */
  boolean sampleFilledNow() {
    if (sampleFullExported || !(initiatorSample.full() || responderSample.full())) {
      return false;
    }
    sampleFullExported = true;
    return true;
  }

  /** Counts a packet; {@code fromA} tells its direction relative to the key. */
  void add(DecodedPacket p, boolean fromA) {
    int side = fromA == initiatorIsA ? 0 : 1;
    packets[side]++;
    bytes[side] += p.ipLength;
    payloadBytes[side] += p.payloadWireLength;
    tcpFlags |= p.tcpFlags;
    if (p.payloadCapturedLength > 0) {
      (side == 0 ? initiatorSample : responderSample).add(p.frame, p.payloadOffset, p.payloadCapturedLength);
    }
    if ((p.tcpFlags & TcpFlagNames.FIN) != 0) {
      if (side == 0) {
        initiatorFin = true;
      } else {
        responderFin = true;
      }
    }
    lastSeenMicros = Math.max(lastSeenMicros, p.timestampMicros);
    dirty = true;
  }

  /** Both sides sent FIN, or either sent RST. */
  EndReason closeReason() {
    if ((tcpFlags & TcpFlagNames.RST) != 0) {
      return EndReason.RST;
    }
    return initiatorFin && responderFin ? EndReason.FIN : null;
  }

  /** Builds the next record of this flow and marks the entry exported. */
  FlowRecord export(String agent, String iface, EndReason end) {
    Instant first = toInstant(firstSeenMicros);
    if (src == null) { // formatted once per flow, like its id: interim records repeat them
      src = address(initiatorIsA);
      dst = address(!initiatorIsA);
    }
    int srcPort = initiatorIsA ? key.aPort() : key.bPort();
    int dstPort = initiatorIsA ? key.bPort() : key.aPort();
    Integer vlan = key.vlan() == DecodedPacket.NO_VLAN ? null : key.vlan();
    String transport = TransportName.of(key.ipProtocol());
    if (flowId == null) {
      flowId = FlowId.of(transport, src, srcPort, dst, dstPort, vlan, first);
    }
    List<String> encapsulation = new ArrayList<>(layers.length);
    for (Layer l : layers) {
      encapsulation.add(l.wire());
    }
    FlowRecord r = new FlowRecord(SchemaVersion.CURRENT, agent, iface, flowId, seq++, end != null,
        end == null ? null : end.wire(), first, toInstant(lastSeenMicros), vlan,
        outerVlan == DecodedPacket.NO_VLAN ? null : outerVlan, encapsulation, key.ipVersion(), transport,
        src, srcPort, dst, dstPort, initiatorEvidence, counters(0), counters(1),
        TcpFlagNames.of(tcpFlags), protocol,
        PayloadClassifier.classify(key.ipProtocol() == IP_PROTOCOL_ESP, initiatorSample, responderSample));
    dirty = false;
    lastExportMicros = lastSeenMicros;
    return r;
  }

  private Counters counters(int side) {
    return new Counters(packets[side], bytes[side], payloadBytes[side]);
  }

  private String address(boolean a) {
    return a ? AddressText.format(key.ipVersion(), key.aHi(), key.aLo())
        : AddressText.format(key.ipVersion(), key.bHi(), key.bLo());
  }

  private static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  long lastSeenMicros() {
    return lastSeenMicros;
  }

  long lastExportMicros() {
    return lastExportMicros;
  }

  boolean dirty() {
    return dirty;
  }

  boolean closed() {
    return closed;
  }

  void markClosed() {
    closed = true;
  }
}
