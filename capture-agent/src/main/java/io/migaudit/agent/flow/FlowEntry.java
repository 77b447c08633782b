package io.migaudit.agent.flow;

import io.migaudit.agent.classify.PayloadClassifier;
import io.migaudit.agent.classify.PayloadSample;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.handshake.HandshakeInspector;
import io.migaudit.agent.kerberos.KerberosInspector;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.HopLimits;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.SchemaVersion;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Mutable state of one tracked flow. Directions are "initiator" (client) and "responder" (server).
 * Kept small because a table holds hundreds of thousands of them: the canonical key (see {@link
 * FlowKey}) is stored as fields rather than as an object, counters are fields, the flow id is kept
 * as its 12 bytes, addresses are formatted per record, and a direction's payload sample exists only
 * once that direction has carried payload.
 */
final class FlowEntry {
  static final int IP_PROTOCOL_ESP = 50;
  private static final HexFormat HEX = HexFormat.of();
  /** Stands in for a direction that carried no payload; never written to. */
  private static final PayloadSample NO_PAYLOAD = new PayloadSample(0, 0);

  // state bits
  private static final int INITIATOR_IS_A = 1;
  private static final int INITIATOR_FIN = 1 << 1;
  private static final int RESPONDER_FIN = 1 << 2;
  private static final int CLOSED = 1 << 3;
  private static final int DIRTY = 1 << 4;
  private static final int HAS_ID = 1 << 5;
  private static final int SAMPLE_FULL_EXPORTED = 1 << 6;
  /** The first payload was seen: a TCP flow's handshake inspector exists now or never will. */
  private static final int INSPECTION_DECIDED = 1 << 7;

  // The canonical key: endpoint a is the lower (address, port) pair. Narrow types hold the decoders'
  // ranges: ports are 16-bit, VLAN ids 12-bit or NO_VLAN (-1), the IP protocol an unsigned byte.
  final long aHi;
  final long aLo;
  final long bHi;
  final long bLo;
  final char aPort;
  final char bPort;
  final short vlan;
  final byte ipVersion;
  final byte ipProtocol;
  /** {@link FlowKey#hash} of the key, kept for the table's probing and resizing. */
  final int hash;
  /** Neighbours in the table's recency list (least recently seen first); owned by {@link FlowTable}. */
  FlowEntry older;
  FlowEntry newer;

  private final short outerVlan;
  private final List<String> encapsulation;
  private final String initiatorEvidence;
  private final String protocol;
  private final long firstSeenMicros;
  private long lastSeenMicros;
  private long lastExportMicros;
  private int seq;
  private byte state;
  private byte tcpFlags;
  private long initiatorPackets;
  private long responderPackets;
  private long initiatorBytes;
  private long responderBytes;
  private long initiatorPayloadBytes;
  private long responderPayloadBytes;
  private long idHigh;
  private int idLow;
  private PayloadSample initiatorSample;
  private PayloadSample responderSample;
  /**
   * What reads the payload beyond the sample: a {@link KerberosInspector} (flows to port 88), a
   * {@link HandshakeInspector} (TLS, SSH, ESP, IKE), or null. One field for both keeps the entry at
   * 184 bytes.
   */
  private Object inspector;
  // lowest and highest TTL / hop limit per direction, unsigned; meaningful once a packet was counted
  private byte initiatorTtlMin = (byte) 0xFF;
  private byte initiatorTtlMax;
  private byte responderTtlMin = (byte) 0xFF;
  private byte responderTtlMax;

  FlowEntry(DecodedPacket first, boolean fromA, int hash, boolean initiatorIsA, String initiatorEvidence,
      String protocol, List<String> encapsulation) {
    this.aHi = fromA ? first.srcHi : first.dstHi;
    this.aLo = fromA ? first.srcLo : first.dstLo;
    this.bHi = fromA ? first.dstHi : first.srcHi;
    this.bLo = fromA ? first.dstLo : first.srcLo;
    this.aPort = (char) (fromA ? first.srcPort : first.dstPort);
    this.bPort = (char) (fromA ? first.dstPort : first.srcPort);
    this.vlan = (short) first.vlan;
    this.ipVersion = (byte) first.ipVersion;
    this.ipProtocol = (byte) first.ipProtocol;
    this.hash = hash;
    this.state = (byte) (initiatorIsA ? INITIATOR_IS_A : 0);
    this.initiatorEvidence = initiatorEvidence;
    this.protocol = protocol;
    this.outerVlan = (short) first.outerVlan;
    this.encapsulation = encapsulation;
    this.firstSeenMicros = first.timestampMicros;
    this.lastSeenMicros = first.timestampMicros;
    this.lastExportMicros = first.timestampMicros;
    int serverPort = initiatorIsA ? bPort : aPort;
    KerberosInspector kerberos = KerberosInspector.forFlow(ipProtocol(), serverPort);
    this.inspector = kerberos != null ? kerberos : HandshakeInspector.forDatagrams(ipProtocol(), serverPort);
  }

  /** True when the packet belongs to this flow; {@code fromA} as {@link FlowKey#sourceIsA} says. */
  boolean matches(DecodedPacket p, boolean fromA) {
    if (p.ipVersion != ipVersion || p.ipProtocol != ipProtocol() || p.vlan != vlan) {
      return false;
    }
    return fromA
        ? p.srcLo == aLo && p.dstLo == bLo && p.srcPort == aPort && p.dstPort == bPort && p.srcHi == aHi
            && p.dstHi == bHi
        : p.dstLo == aLo && p.srcLo == bLo && p.dstPort == aPort && p.srcPort == bPort && p.dstHi == aHi
            && p.srcHi == bHi;
  }

  /**
   * True once, at the packet that fills a direction's payload sample: the statistics behind the
   * verdict are complete, so a record now carries the verdict that a record after the active timeout
   * would (a later change of the payload shows in later records through the re-sample window). Lets
   * the first record of a migration, and so its alert, come milliseconds after its payload starts
   * rather than one active timeout later.
   */
  boolean sampleFilledNow() {
    if (is(SAMPLE_FULL_EXPORTED) || !(full(initiatorSample) || full(responderSample))) {
      return false;
    }
    state |= SAMPLE_FULL_EXPORTED;
    return true;
  }

  private static boolean full(PayloadSample sample) {
    return sample != null && sample.full();
  }

  /** Counts a packet; {@code fromA} tells its direction relative to the key. */
  void add(DecodedPacket p, boolean fromA, int sampleBytes, int sampleBytesPerPacket) {
    boolean initiator = fromA == is(INITIATOR_IS_A);
    int flags = p.tcpFlags;
    if (initiator) {
      initiatorPackets++;
      initiatorBytes += p.ipLength;
      initiatorPayloadBytes += p.payloadWireLength;
      initiatorTtlMin = (byte) Math.min(p.ttl, Byte.toUnsignedInt(initiatorTtlMin));
      initiatorTtlMax = (byte) Math.max(p.ttl, Byte.toUnsignedInt(initiatorTtlMax));
    } else {
      responderPackets++;
      responderBytes += p.ipLength;
      responderPayloadBytes += p.payloadWireLength;
      responderTtlMin = (byte) Math.min(p.ttl, Byte.toUnsignedInt(responderTtlMin));
      responderTtlMax = (byte) Math.max(p.ttl, Byte.toUnsignedInt(responderTtlMax));
    }
    if (p.payloadCapturedLength > 0) {
      sample(initiator, sampleBytes, sampleBytesPerPacket).add(p.frame, p.payloadOffset, p.payloadCapturedLength);
      if (inspector instanceof KerberosInspector kerberos) {
        if (initiator) {
          kerberos.add(p.frame, p.payloadOffset, p.payloadCapturedLength, p.payloadWireLength);
        }
      } else {
        inspect(p, initiator);
      }
    }
    int bits = DIRTY;
    if ((flags & TcpFlagNames.FIN) != 0) {
      bits |= initiator ? INITIATOR_FIN : RESPONDER_FIN;
    }
    state |= bits;
    tcpFlags |= flags;
    if (p.timestampMicros > lastSeenMicros) {
      lastSeenMicros = p.timestampMicros;
    }
  }

  /**
   * Feeds the handshake inspector. Until stream reassembly lands, a TCP direction's bytes are the
   * payloads in arrival order, and only a flow whose first payload starts a TLS or SSH handshake is
   * inspected.
   */
  private void inspect(DecodedPacket p, boolean initiator) {
    if (!is(INSPECTION_DECIDED)) {
      state |= INSPECTION_DECIDED;
      if (inspector == null) {
        inspector = HandshakeInspector.forStream(ipProtocol(), p.frame, p.payloadOffset, p.payloadCapturedLength);
      }
    }
    if (inspector instanceof HandshakeInspector handshake) {
      handshake.add(initiator, p.frame, p.payloadOffset, p.payloadCapturedLength, p.payloadWireLength);
    }
  }

  private HopLimits hopLimits() {
    HopLimits.Range sent = initiatorPackets == 0 ? null
        : new HopLimits.Range(Byte.toUnsignedInt(initiatorTtlMin), Byte.toUnsignedInt(initiatorTtlMax));
    HopLimits.Range received = responderPackets == 0 ? null
        : new HopLimits.Range(Byte.toUnsignedInt(responderTtlMin), Byte.toUnsignedInt(responderTtlMax));
    return new HopLimits(sent, received);
  }

  private PayloadSample sample(boolean initiator, int sampleBytes, int sampleBytesPerPacket) {
    if (initiator) {
      if (initiatorSample == null) {
        initiatorSample = new PayloadSample(sampleBytes, sampleBytesPerPacket);
      }
      return initiatorSample;
    }
    if (responderSample == null) {
      responderSample = new PayloadSample(sampleBytes, sampleBytesPerPacket);
    }
    return responderSample;
  }

  /** Both sides sent FIN, or either sent RST. */
  EndReason closeReason() {
    if ((tcpFlags & TcpFlagNames.RST) != 0) {
      return EndReason.RST;
    }
    return is(INITIATOR_FIN) && is(RESPONDER_FIN) ? EndReason.FIN : null;
  }

  /** Builds the next record of this flow and marks the entry exported. */
  FlowRecord export(String agent, String iface, EndReason end) {
    boolean initiatorIsA = is(INITIATOR_IS_A);
    Instant first = toInstant(firstSeenMicros);
    String src = address(initiatorIsA);
    String dst = address(!initiatorIsA);
    int srcPort = initiatorIsA ? aPort : bPort;
    int dstPort = initiatorIsA ? bPort : aPort;
    Integer vlanId = vlan == DecodedPacket.NO_VLAN ? null : (int) vlan;
    String transport = TransportName.of(ipProtocol());
    FlowRecord r = new FlowRecord(SchemaVersion.CURRENT, agent, iface,
        flowId(transport, src, srcPort, dst, dstPort, vlanId, first), seq++, end != null,
        end == null ? null : end.wire(), first, toInstant(lastSeenMicros), vlanId,
        outerVlan == DecodedPacket.NO_VLAN ? null : (int) outerVlan, encapsulation, ipVersion, transport,
        src, srcPort, dst, dstPort, initiatorEvidence,
        new Counters(initiatorPackets, initiatorBytes, initiatorPayloadBytes),
        new Counters(responderPackets, responderBytes, responderPayloadBytes),
        TcpFlagNames.of(tcpFlags), protocol, payloadFeatures());
    if (inspector instanceof KerberosInspector kerberos) {
      r = r.withKerberos(kerberos.activity());
    }
    r = r.withPath(hopLimits(), inspector instanceof HandshakeInspector handshake ? handshake.facts() : null);
    state &= ~DIRTY;
    lastExportMicros = lastSeenMicros;
    return r;
  }

  private PayloadFeatures payloadFeatures() {
    return PayloadClassifier.classify(ipProtocol() == IP_PROTOCOL_ESP,
        initiatorSample == null ? NO_PAYLOAD : initiatorSample,
        responderSample == null ? NO_PAYLOAD : responderSample);
  }

  /** The flow's id, hashed at its first record and kept as its 12 bytes (see {@link FlowId}). */
  private String flowId(String transport, String src, int srcPort, String dst, int dstPort, Integer vlanId,
      Instant first) {
    if (!is(HAS_ID)) {
      String id = FlowId.of(transport, src, srcPort, dst, dstPort, vlanId, first);
      idHigh = HexFormat.fromHexDigitsToLong(id, 0, 16);
      idLow = HexFormat.fromHexDigits(id, 16, 24);
      state |= HAS_ID;
      return id;
    }
    return HEX.toHexDigits(idHigh) + HEX.toHexDigits(idLow);
  }

  private String address(boolean a) {
    return a ? AddressText.format(ipVersion, aHi, aLo) : AddressText.format(ipVersion, bHi, bLo);
  }

  private static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  private boolean is(int bit) {
    return (state & bit) != 0;
  }

  int ipProtocol() {
    return ipProtocol & 0xFF;
  }

  /** The key as a value (tests, diagnostics). */
  FlowKey key() {
    return new FlowKey(ipVersion, ipProtocol(), vlan, aHi, aLo, aPort, bHi, bLo, bPort);
  }

  long lastSeenMicros() {
    return lastSeenMicros;
  }

  long lastExportMicros() {
    return lastExportMicros;
  }

  boolean dirty() {
    return is(DIRTY);
  }

  boolean closed() {
    return is(CLOSED);
  }

  void markClosed() {
    state |= CLOSED;
  }
}
