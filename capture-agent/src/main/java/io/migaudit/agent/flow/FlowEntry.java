package io.migaudit.agent.flow;

import io.migaudit.agent.classify.MigrationOpenings;
import io.migaudit.agent.classify.PayloadClassifier;
import io.migaudit.agent.classify.PayloadSample;
import io.migaudit.agent.classify.StreamSink;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.handshake.HandshakeInspector;
import io.migaudit.agent.kerberos.KerberosInspector;
import io.migaudit.record.AddressText;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Signature;
import io.migaudit.record.StreamEvidence;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Mutable state of one tracked flow. Directions are "initiator" (client) and "responder" (server).
 * Kept small because a table holds hundreds of thousands of them: the endpoints of the canonical
 * key (see {@link FlowKey}) are stored as fields rather than as an object, what the first packet
 * fixed and other flows share (the rest of the key, VLANs, encapsulation, protocol, initiator) is
 * one shared {@link FlowTraits}, counters are fields, the flow id is kept as its 12 bytes,
 * addresses are formatted per record, and a direction's payload sample exists only once that
 * direction has carried payload. 176 bytes with compressed references: a 12-byte header and 164
 * bytes of fields, no room left before the next 8-byte step (one more byte makes it 184).
 */
final class FlowEntry {
  static final int IP_PROTOCOL_ESP = 50;
  static final int IP_PROTOCOL_TCP = 6;

  /**
   * ESP bytes before the ciphertext that are not encrypted or not random: SPI and sequence number
   * (RFC 4303 2.1-2.2) and the 8-byte IV of AES-GCM/CTR/ChaCha20 (RFC 4106, 3686, 7634), which is
   * often a counter. Left out of the sample so that the statistics judge the ciphertext.
   */
  static final int ESP_CLEAR_BYTES = 16;

  private static final HexFormat HEX = HexFormat.of();

  /** Stands in for a direction that carried no payload; never written to. */
  private static final PayloadSample NO_PAYLOAD = new PayloadSample(0, 0);

  // state bits: eight, so that the state is a byte (one more makes a flow 8 bytes larger)
  private static final int INITIATOR_FIN = 1;
  private static final int RESPONDER_FIN = 1 << 1;
  private static final int CLOSED = 1 << 2;
  private static final int DIRTY = 1 << 3;
  private static final int HAS_ID = 1 << 4;
  private static final int SAMPLE_FULL_EXPORTED = 1 << 5;

  /**
   * A first in-window payload was seen: a TCP flow's handshake inspector exists now or never will.
   */
  private static final int INSPECTION_DECIDED = 1 << 6;

  /** On the table's list of dirty flows whose interim record was not yet due at the last sweep. */
  private static final int SWEEP_PENDING = 1 << 7;

  // The canonical key: endpoint a is the lower (address, port) pair; ports are 16-bit. The rest of
  // the key (IP version and protocol, VLAN, tunnel path) is in the shared traits.
  final long aHi;
  final long aLo;
  final long bHi;
  final long bLo;
  final char aPort;
  final char bPort;

  /**
   * What the first packet fixed, shared with other flows: the rest of the key, the encapsulation,
   * protocol and initiator (see {@link FlowTraits}).
   */
  final FlowTraits traits;

  /** {@link FlowKey#hash} of the key, kept for the table's probing and resizing. */
  final int hash;

  /**
   * Neighbours in the table's recency list (least recently seen first); owned by {@link FlowTable}.
   */
  FlowEntry older;

  FlowEntry newer;

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

  /**
   * The flow id's first 8 bytes once it is made ({@link #HAS_ID}); before that, the initial
   * sequence numbers of the SYNs (the initiator's in the high 32 bits), kept until the streams are
   * made: the two uses never overlap, so a flow costs no extra field for them. A flow that closed
   * before any payload keeps the sequence numbers past its final record, for a flow that goes on
   * its connection ({@link #continueFrom}); its id is made again when asked ({@link #flowId()}).
   */
  private long idHigh;

  private int idLow;
  private PayloadSample initiatorSample;
  private PayloadSample responderSample;

  /** Per direction a byte (initiator low): 0 SYN not seen, else its window scale code + 1. */
  private short synScales;

  /**
   * The initiator's direction of a TCP flow that carried payload (the responder's is its peer), or
   * null.
   */
  private TcpStream stream;

  /**
   * What reads the payload beyond the sample: a {@link KerberosInspector} (flows to port 88), a
   * {@link HandshakeInspector} (TLS, SSH, ESP, IKE), or null. One field for both saves a flow 8
   * bytes.
   */
  private Object inspector;

  /** Lowest and highest TTL / hop limit per direction, see {@link TtlRanges}. */
  private int ttls = TtlRanges.EMPTY;

  FlowEntry(DecodedPacket first, boolean fromA, int hash, FlowTraits traits) {
    this.aHi = fromA ? first.srcHi : first.dstHi;
    this.aLo = fromA ? first.srcLo : first.dstLo;
    this.bHi = fromA ? first.dstHi : first.srcHi;
    this.bLo = fromA ? first.dstLo : first.srcLo;
    this.aPort = (char) (fromA ? first.srcPort : first.dstPort);
    this.bPort = (char) (fromA ? first.dstPort : first.srcPort);
    this.traits = traits;
    this.hash = hash;
    this.firstSeenMicros = first.timestampMicros;
    this.lastSeenMicros = first.timestampMicros;
    this.lastExportMicros = first.timestampMicros;
    int serverPort = traits.initiatorIsA ? bPort : aPort;
    KerberosInspector kerberos = KerberosInspector.forFlow(ipProtocol(), serverPort);
    this.inspector =
        kerberos != null ? kerberos : HandshakeInspector.forDatagrams(ipProtocol(), serverPort);
  }

  /**
   * {@link #evictionRank}: evict before anything else (closed, or one packet: a scan's half-open
   * SYN).
   */
  static final int EVICT_FIRST = 0;

  /** {@link #evictionRank}: an ordinary flow. */
  static final int EVICT_NEXT = 1;

  /** {@link #evictionRank}: a flow on a migration port that completed a handshake: evicted last. */
  static final int EVICT_LAST = 2;

  /** How readily this flow gives way to a new one when the table is full. */
  int evictionRank() {
    if (is(CLOSED) || initiatorPackets + responderPackets <= 1) {
      return EVICT_FIRST;
    }
    boolean handshake = (synScales & 0xFF) != 0 && (synScales & 0xFF00) != 0;
    return traits.protocol != null && handshake ? EVICT_LAST : EVICT_NEXT;
  }

  /**
   * True when the packet belongs to this flow; {@code fromA} as {@link FlowKey#sourceIsA} says. The
   * entry's own fields first: the traits are only read for the flow that matched them.
   */
  boolean matches(DecodedPacket p, boolean fromA) {
    boolean endpoints =
        fromA
            ? p.srcLo == aLo
                && p.dstLo == bLo
                && p.srcPort == aPort
                && p.dstPort == bPort
                && p.srcHi == aHi
                && p.dstHi == bHi
            : p.dstLo == aLo
                && p.srcLo == bLo
                && p.dstPort == aPort
                && p.srcPort == bPort
                && p.dstHi == aHi
                && p.srcHi == bHi;
    return endpoints && traits.sameKey(p);
  }

  /**
   * True once, at the packet that fills a direction's payload sample: the statistics behind the
   * verdict are complete, so a record now carries the verdict that a record after the active
   * timeout would (a later change of the payload shows in later records through the re-sample
   * window). Lets the first record of a migration, and so its alert, come milliseconds after its
   * payload starts rather than one active timeout later.
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
    FlowTraits t = traits;
    boolean initiator = fromA == t.initiatorIsA;
    int ipProtocol = t.ipProtocol();
    int flags = p.tcpFlags;
    if (initiator) {
      initiatorPackets++;
      initiatorBytes += p.ipLength;
      initiatorPayloadBytes += p.payloadWireLength;
    } else {
      responderPackets++;
      responderBytes += p.ipLength;
      responderPayloadBytes += p.payloadWireLength;
    }
    ttls = TtlRanges.add(ttls, initiator, p.ttl);
    // A later IP fragment (one Reassembly could not put back: its pieces disagree or never all
    // came) has no TCP header to place its bytes in a stream: its payload is sampled as a
    // datagram's, so a migration cut into such fragments is still judged by what it carries.
    if (ipProtocol == IP_PROTOCOL_TCP && !p.fragment) {
      if (!tcpSegment(p, initiator, sampleBytes, sampleBytesPerPacket)) {
        flags &=
            ~(TcpFlagNames.FIN
                | TcpFlagNames.RST); // outside the window: the receiver ignores it too
      }
    } else if (p.payloadCapturedLength > 0) {
      int skip = ipProtocol == IP_PROTOCOL_ESP ? ESP_CLEAR_BYTES : 0;
      boolean cut = p.payloadCapturedLength < p.payloadWireLength;
      if (cut && ipProtocol == IP_PROTOCOL_ESP) {
        sample(initiator, sampleBytes, sampleBytesPerPacket)
            .addCutBody(
                p.frame,
                p.payloadOffset + skip,
                p.payloadCapturedLength - skip,
                p.payloadWireLength - skip);
      } else if (cut) {
        sample(initiator, sampleBytes, sampleBytesPerPacket)
            .addCut(p.frame, p.payloadOffset, p.payloadCapturedLength, p.payloadWireLength);
      } else if (p.payloadCapturedLength > skip) {
        sample(initiator, sampleBytes, sampleBytesPerPacket)
            .add(p.frame, p.payloadOffset + skip, p.payloadCapturedLength - skip);
      }
      if (inspector instanceof HandshakeInspector datagrams) {
        datagrams.add(
            initiator, p.frame, p.payloadOffset, p.payloadCapturedLength, p.payloadWireLength);
      }
    }
    if (inspector instanceof KerberosInspector kerberos && p.payloadCapturedLength > 0) {
      if (initiator) {
        kerberos.add(p.frame, p.payloadOffset, p.payloadCapturedLength, p.payloadWireLength);
      } else {
        kerberos.addReply(p.frame, p.payloadOffset, p.payloadCapturedLength);
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
   * Follows a TCP segment by sequence number (see {@link TcpStream}); the streams exist from the
   * flow's first payload on, anchored at the SYNs' initial sequence numbers when they were seen.
   * Returns false when the segment lies outside the receiver's window.
   */
  private boolean tcpSegment(
      DecodedPacket p, boolean initiator, int sampleBytes, int sampleBytesPerPacket) {
    if ((p.tcpFlags & TcpFlagNames.SYN) != 0) {
      rememberSyn(p, initiator);
    }
    if (stream == null) {
      if (p.payloadWireLength == 0) {
        return true;
      }
      openStreams();
    }
    TcpStream mine = initiator ? stream : stream.peer;
    PayloadSample sink = null;
    if (p.payloadWireLength > 0) {
      boolean fresh = (initiator ? initiatorSample : responderSample) == null;
      sink = sample(initiator, sampleBytes, sampleBytesPerPacket);
      // a direction first seen without its SYN starts mid-way, unless its first bytes open a
      // migration stream, which they do only at its start: the live agent follows such a
      // connection from that segment on, after the handshake its filter kept out
      if (fresh
          && mine.startsMidStream(p)
          && MigrationOpenings.match(p.frame, p.payloadOffset, p.payloadCapturedLength)
              == Signature.NONE) {
        sink.markMidStream();
      }
    }
    boolean undecided = sink != null && !is(INSPECTION_DECIDED);
    if (undecided && inspector == null && !mine.startsMidStream(p)) {
      inspector =
          HandshakeInspector.forStream(
              ipProtocol(), p.frame, p.payloadOffset, p.payloadCapturedLength);
    }
    StreamSink target = inspector instanceof HandshakeInspector h ? h.tee(initiator, sink) : sink;
    long wireBefore =
        (initiator ? initiatorPayloadBytes : responderPayloadBytes) - p.payloadWireLength;
    boolean inWindow = mine.segment(p, mine.peer, target, wireBefore);
    if (undecided && !inWindow && inspector instanceof HandshakeInspector) {
      inspector = null; // a segment the receiver drops does not say what the stream carries
    } else if (undecided) {
      state |= INSPECTION_DECIDED;
    }
    return inWindow;
  }

  private void openStreams() {
    stream = TcpStream.pair(synScales, idHigh, !is(HAS_ID));
  }

  private void rememberSyn(DecodedPacket p, boolean initiator) {
    int shift = initiator ? 0 : 8;
    if (((synScales >>> shift) & 0xFF) != 0) {
      return; // a retransmitted SYN; the first one anchors the stream
    }
    int code =
        1
            + (p.tcpWindowScale == DecodedPacket.NO_WINDOW_SCALE
                ? TcpStream.SCALE_NOT_OFFERED
                : p.tcpWindowScale);
    synScales = (short) (synScales | (code << shift));
    if (!is(HAS_ID)) {
      idHigh =
          initiator
              ? (idHigh & 0xFFFFFFFFL) | ((long) p.tcpSeq << 32)
              : (idHigh & ~0xFFFFFFFFL) | (p.tcpSeq & 0xFFFFFFFFL);
    }
  }

  private PayloadSample sample(boolean initiator, int sampleBytes, int sampleBytesPerPacket) {
    if (initiator) {
      if (initiatorSample == null) {
        initiatorSample = new PayloadSample(sampleBytes, sampleBytesPerPacket, hash);
      }
      return initiatorSample;
    }
    if (responderSample == null) {
      responderSample = new PayloadSample(sampleBytes, sampleBytesPerPacket, ~hash);
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

  /**
   * Builds the next record of this flow and marks the entry exported; {@code continues} the flow id
   * of the first flow of the connection it goes on ({@link ContinuedConnections}), or null.
   */
  FlowRecord export(String agent, String iface, EndReason end, String continues) {
    if (stream == null && end == null && synScales != 0) {
      openStreams(); // the flow id is about to take the place of the initial sequence numbers
    }
    boolean initiatorIsA = traits.initiatorIsA;
    Instant first = toInstant(firstSeenMicros);
    String src = address(initiatorIsA);
    String dst = address(!initiatorIsA);
    int srcPort = initiatorIsA ? aPort : bPort;
    int dstPort = initiatorIsA ? bPort : aPort;
    Integer vlanId = traits.vlanId();
    String transport = TransportName.of(ipProtocol());
    StreamEvidence streamEvidence =
        stream == null
            ? datagramsCut()
            : stream.evidence(
                initiatorSample != null && initiatorSample.midStream()
                    || responderSample != null && responderSample.midStream());
    if (continues != null) {
      streamEvidence =
          (streamEvidence == null ? new StreamEvidence(false, 0, 0, 0, 0) : streamEvidence)
              .continuing(continues);
    }
    // built once with everything (not copied by withStream / withPath): a record per short flow
    FlowRecord r =
        new FlowRecord(
            SchemaVersion.CURRENT,
            agent,
            iface,
            flowId(transport, src, srcPort, dst, dstPort, vlanId, first, end),
            seq++,
            end != null,
            end == null ? null : end.wire(),
            first,
            toInstant(lastSeenMicros),
            vlanId,
            traits.outerVlanId(),
            traits.encapsulation,
            traits.ipVersion,
            transport,
            src,
            srcPort,
            dst,
            dstPort,
            traits.evidence(),
            new Counters(initiatorPackets, initiatorBytes, initiatorPayloadBytes),
            new Counters(responderPackets, responderBytes, responderPayloadBytes),
            TcpFlagNames.of(tcpFlags),
            traits.protocol,
            payloadFeatures(),
            inspector instanceof KerberosInspector kerberos ? kerberos.activity() : null,
            streamEvidence == null || streamEvidence.unremarkable() ? null : streamEvidence,
            TtlRanges.of(ttls, initiatorPackets > 0, responderPackets > 0),
            inspector instanceof HandshakeInspector handshake ? handshake.facts() : null,
            traits.tunnel,
            traits.vniId());
    state &= ~DIRTY;
    lastExportMicros = lastSeenMicros;
    return r;
  }

  private PayloadFeatures payloadFeatures() {
    return PayloadClassifier.classify(
        ipProtocol() == IP_PROTOCOL_ESP,
        initiatorSample == null ? NO_PAYLOAD : initiatorSample,
        responderSample == null ? NO_PAYLOAD : responderSample);
  }

  /** The flow's id, as its records carry it. */
  String flowId() {
    if (is(HAS_ID)) {
      return HEX.toHexDigits(idHigh) + HEX.toHexDigits(idLow);
    }
    boolean initiatorIsA = traits.initiatorIsA;
    return FlowId.of(
        TransportName.of(ipProtocol()),
        address(initiatorIsA),
        initiatorIsA ? aPort : bPort,
        address(!initiatorIsA),
        initiatorIsA ? bPort : aPort,
        traits.vlanId(),
        toInstant(firstSeenMicros));
  }

  /** The flow's id, hashed at its first record and kept as its 12 bytes (see {@link FlowId}). */
  private String flowId(
      String transport,
      String src,
      int srcPort,
      String dst,
      int dstPort,
      Integer vlanId,
      Instant first,
      EndReason end) {
    if (!is(HAS_ID)) {
      String id = FlowId.of(transport, src, srcPort, dst, dstPort, vlanId, first);
      if (end != null && stream == null) {
        // a final record without streams: the initial sequence numbers stay, for a flow that may
        // yet go on the connection (a close the hosts did not honour), and the id is made again
        // if one does ({@link #flowId()})
        return id;
      }
      idHigh = HexFormat.fromHexDigitsToLong(id, 0, 16);
      idLow = HexFormat.fromHexDigits(id, 16, 24);
      state |= HAS_ID;
      return id;
    }
    return HEX.toHexDigits(idHigh) + HEX.toHexDigits(idLow);
  }

  /**
   * The stream evidence of a flow without a TCP stream: only the datagrams the capture cut at its
   * snap length, when there were any (a KDC request cut short could not be read), else null.
   */
  private StreamEvidence datagramsCut() {
    long cut =
        (initiatorSample == null ? 0 : initiatorSample.cutSegments())
            + (responderSample == null ? 0 : responderSample.cutSegments());
    return cut == 0 ? null : new StreamEvidence(false, 0, 0, 0, cut);
  }

  private String address(boolean a) {
    return a
        ? AddressText.format(traits.ipVersion, aHi, aLo)
        : AddressText.format(traits.ipVersion, bHi, bLo);
  }

  private static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  private boolean is(int bit) {
    return (state & bit) != 0;
  }

  int ipProtocol() {
    return traits.ipProtocol();
  }

  /** The key as a value (tests, diagnostics). */
  FlowKey key() {
    return new FlowKey(
        traits.ipVersion, ipProtocol(), traits.vlan, aHi, aLo, aPort, bHi, bLo, bPort);
  }

  long firstSeenMicros() {
    return firstSeenMicros;
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

  /**
   * True when {@code p}, which came after this TCP flow closed, carries new data of its sender's
   * stream (payload at or past what the stream had reached, or any payload when the flow closed
   * before carrying any): a RST or FIN ends what its sender sends and what its peer accepts, so
   * data that goes on in sequence says the close was not one the hosts honoured (a forged segment
   * the receiver dropped, as a wrong checksum makes it).
   */
  boolean continuedBy(DecodedPacket p, boolean fromA) {
    if (ipProtocol() != IP_PROTOCOL_TCP || p.fragment || p.payloadWireLength == 0) {
      return false;
    }
    // a flow closed before any payload has no stream to go on: any payload goes on past the close
    return stream == null || (fromA == traits.initiatorIsA ? stream : stream.peer).continuedBy(p);
  }

  /**
   * Takes over the streams, payload samples and inspector of {@code closed}, a flow of the same
   * connection whose close was not honoured ({@link #continuedBy}): this flow's record counts its
   * own packets and bytes, but its payload is judged with everything the connection carried, so a
   * forged RST neither hides the data after it nor starts a fresh sample that forged segments could
   * fill (what this flow sampled before is let go: see {@link ReopenedFlows}). Nothing is taken,
   * and false returned, when the two flows see the initiator on different sides.
   */
  boolean continueFrom(FlowEntry closed) {
    if (closed.traits.initiatorIsA != traits.initiatorIsA) {
      return false;
    }
    stream = closed.streamsOrSyns();
    initiatorSample = closed.initiatorSample;
    responderSample = closed.responderSample;
    inspector = closed.inspector;
    synScales = closed.synScales;
    ttls = closed.ttls;
    // what this flow decided about samples it no longer has is decided again: a record as soon as
    // a sample taken over is full, an inspector at the first payload if the closed flow had none
    state =
        (byte)
            ((state & ~(INSPECTION_DECIDED | SAMPLE_FULL_EXPORTED))
                | (closed.state & INSPECTION_DECIDED));
    return true;
  }

  /**
   * Where the payload segment {@code p} lands in its direction's stream ({@link
   * TcpStream#landing}). Opens the streams if the flow carried no payload yet, as its first payload
   * would.
   */
  int landing(DecodedPacket p, boolean fromA) {
    if (stream == null) {
      openStreams();
    }
    TcpStream mine = fromA == traits.initiatorIsA ? stream : stream.peer;
    return mine.landing(p, mine.peer);
  }

  /**
   * True when {@code p}, which came after this TCP flow closed, starts exactly at its sender's next
   * byte: the stream going on where it stopped (a flow closed before any payload is placed by its
   * SYNs' sequence numbers).
   */
  boolean continuedExactlyBy(DecodedPacket p, boolean fromA) {
    TcpStream s = streamsOrSyns();
    return continuedBy(p, fromA)
        && s != null
        && (fromA == traits.initiatorIsA ? s : s.peer).startsAtNext(p);
  }

  /**
   * True when the opening SYN {@code p}, which came after this TCP flow closed, comes from its
   * initiator with an initial sequence number just before that direction's next byte: the
   * connection's own stream going on where it stopped, behind a SYN (a flow closed before any
   * payload is placed by its SYNs' sequence numbers, so a SYN sent again qualifies). A new
   * connection picks its initial sequence number by a keyed hash and a clock (RFC 6528), or past
   * the old stream (RFC 6191), and lands there once in 2^32; a forged SYN on the stream's own
   * sequence numbers lands there by design.
   */
  boolean resumedBySyn(DecodedPacket p, boolean fromA) {
    if (ipProtocol() != IP_PROTOCOL_TCP || p.fragment || fromA != traits.initiatorIsA) {
      return false;
    }
    TcpStream s = streamsOrSyns();
    return s != null && s.resumedBySyn(p);
  }

  /**
   * True when packets from {@code fromA} come from the side that answered this TCP flow's SYN: the
   * server of a connection whose handshake was seen.
   */
  boolean answeredBy(boolean fromA) {
    return ipProtocol() == IP_PROTOCOL_TCP
        && traits.evidence == FlowTraits.EVIDENCE_SYN
        && fromA != traits.initiatorIsA;
  }

  /**
   * Payload bytes the flow's streams took in sequence, both directions: how much of a connection it
   * carries.
   */
  long streamBytesTaken() {
    return stream == null ? 0 : stream.bytesTaken() + stream.peer.bytesTaken();
  }

  /**
   * The streams, or for a flow closed before any payload new ones placed by the sequence numbers of
   * its SYNs (kept in place of its id, see {@link #flowId()}), or null.
   */
  private TcpStream streamsOrSyns() {
    return stream == null && synScales != 0 && !is(HAS_ID)
        ? TcpStream.pair(synScales, idHigh, true)
        : stream;
  }

  boolean closed() {
    return is(CLOSED);
  }

  void markClosed() {
    state |= CLOSED;
  }

  boolean sweepPending() {
    return is(SWEEP_PENDING);
  }

  void sweepPending(boolean value) {
    state = (byte) (value ? state | SWEEP_PENDING : state & ~SWEEP_PENDING);
  }
}
