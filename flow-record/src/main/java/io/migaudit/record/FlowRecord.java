package io.migaudit.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * What the capture agent knows about one flow at one moment: published as interim records while the
 * flow lives ({@code last == false}) and once more when it ends ({@code last == true}). Both
 * directions of a connection are one flow; {@code src} is the host that opened it (the client).
 *
 * @param schemaVersion {@link SchemaVersion#CURRENT}
 * @param agent id of the capture agent (host name by default)
 * @param iface interface or capture file the packets came from
 * @param flowId deterministic id of the flow: same packets, same id (see {@link FlowId})
 * @param seq 0 for the first record of a flow, +1 for each further one
 * @param last true for the final record of the flow
 * @param endReason why the final record was written (fin, rst, idle, evicted, end-of-capture,
 *     shutdown); null while the flow lives
 * @param firstSeen timestamp of the first packet (capture time, microsecond precision)
 * @param lastSeen timestamp of the latest packet
 * @param vlan innermost 802.1Q VLAN id, null when untagged
 * @param outerVlan outer VLAN id of a QinQ frame, null when not double-tagged
 * @param encapsulation layers around the inner IP packet, outermost first (e.g. "ethernet", "vlan")
 * @param ipVersion 4 or 6
 * @param transport "tcp", "udp", "esp", "icmp", "icmpv6" or "ip-N" for other IP protocols; "rocev2"
 *     for RDMA (UDP to port 4791 whose InfiniBand transport header the agent read: all of it
 *     between two hosts is one flow, both ports 4791)
 * @param src address of the initiator
 * @param srcPort port of the initiator (0 for protocols without ports)
 * @param dst address of the responder
 * @param dstPort port of the responder
 * @param initiator how the initiator was told: "syn" (saw the handshake), "port" (no handshake, the
 *     side on a catalog or lower port is taken as server), "first-packet"
 * @param srcToDst counters of packets sent by the initiator
 * @param dstToSrc counters of packets sent by the responder
 * @param tcpFlags TCP flags seen in either direction (e.g. "SYN", "ACK", "FIN")
 * @param protocol migration protocol from the port catalog ("vmotion", "hyperv", ...), null if none
 * @param payload features of the payload sample
 * @param kerberos for a flow to a KDC (TCP/UDP 88): the service principals of the TGS requests seen
 *     from the client; null (and absent from the JSON) otherwise. Added within schema version 1: a
 *     record without it reads as null, and readers that do not know it ignore it
 * @param stream how the agent followed a TCP flow's streams (picked up mid-stream, segments ignored
 *     as out of window or retransmitted, bytes missing); null (and absent from the JSON) when there
 *     is nothing to say or the flow is not TCP. Added within schema version 1 like {@code kerberos}
 * @param ttl lowest and highest IPv4 TTL / IPv6 hop limit per direction; null (absent) when not
 *     recorded. Added within schema version 1, like {@code kerberos}
 * @param handshake what the clear-text TLS / SSH / IKE handshake or the ESP payload said about the
 *     flow's protection; null (absent) when none was seen. Added within schema version 1
 * @param tunnel the routed tunnel (IP in IP, GRE carrying IP) the flow travelled in: its outer
 *     endpoints are the path the flow really crossed; null (absent) for a flow in no such tunnel.
 *     Added within schema version 1
 * @param vni the VXLAN or Geneve network identifier of the innermost overlay segment the flow's
 *     frames travelled in (a migration network may name its segments by VNI); null (absent) for a
 *     flow in no such overlay. Added within schema version 1
 */
public record FlowRecord(
    int schemaVersion,
    String agent,
    @JsonProperty("interface") String iface,
    String flowId,
    long seq,
    boolean last,
    String endReason,
    Instant firstSeen,
    Instant lastSeen,
    Integer vlan,
    Integer outerVlan,
    List<String> encapsulation,
    int ipVersion,
    String transport,
    String src,
    int srcPort,
    String dst,
    int dstPort,
    String initiator,
    Counters srcToDst,
    Counters dstToSrc,
    List<String> tcpFlags,
    String protocol,
    PayloadFeatures payload,
    @JsonInclude(JsonInclude.Include.NON_NULL) KerberosActivity kerberos,
    @JsonInclude(JsonInclude.Include.NON_NULL) StreamEvidence stream,
    @JsonInclude(JsonInclude.Include.NON_NULL) HopLimits ttl,
    @JsonInclude(JsonInclude.Include.NON_NULL) Handshake handshake,
    @JsonInclude(JsonInclude.Include.NON_NULL) Tunnel tunnel,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer vni) {

  public FlowRecord {
    encapsulation = encapsulation == null ? List.of() : List.copyOf(encapsulation);
    tcpFlags = tcpFlags == null ? List.of() : List.copyOf(tcpFlags);
  }

  /** A record without Kerberos requests (every flow that is not to a KDC). */
  public FlowRecord(
      int schemaVersion,
      String agent,
      String iface,
      String flowId,
      long seq,
      boolean last,
      String endReason,
      Instant firstSeen,
      Instant lastSeen,
      Integer vlan,
      Integer outerVlan,
      List<String> encapsulation,
      int ipVersion,
      String transport,
      String src,
      int srcPort,
      String dst,
      int dstPort,
      String initiator,
      Counters srcToDst,
      Counters dstToSrc,
      List<String> tcpFlags,
      String protocol,
      PayloadFeatures payload) {
    this(
        schemaVersion,
        agent,
        iface,
        flowId,
        seq,
        last,
        endReason,
        firstSeen,
        lastSeen,
        vlan,
        outerVlan,
        encapsulation,
        ipVersion,
        transport,
        src,
        srcPort,
        dst,
        dstPort,
        initiator,
        srcToDst,
        dstToSrc,
        tcpFlags,
        protocol,
        payload,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** A record with Kerberos requests (or null) and nothing to say about its TCP streams. */
  public FlowRecord(
      int schemaVersion,
      String agent,
      String iface,
      String flowId,
      long seq,
      boolean last,
      String endReason,
      Instant firstSeen,
      Instant lastSeen,
      Integer vlan,
      Integer outerVlan,
      List<String> encapsulation,
      int ipVersion,
      String transport,
      String src,
      int srcPort,
      String dst,
      int dstPort,
      String initiator,
      Counters srcToDst,
      Counters dstToSrc,
      List<String> tcpFlags,
      String protocol,
      PayloadFeatures payload,
      KerberosActivity kerberos) {
    this(
        schemaVersion,
        agent,
        iface,
        flowId,
        seq,
        last,
        endReason,
        firstSeen,
        lastSeen,
        vlan,
        outerVlan,
        encapsulation,
        ipVersion,
        transport,
        src,
        srcPort,
        dst,
        dstPort,
        initiator,
        srcToDst,
        dstToSrc,
        tcpFlags,
        protocol,
        payload,
        kerberos,
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * A record in no overlay segment (no VNI): every field of schema version 1 before {@code vni}.
   */
  public FlowRecord(
      int schemaVersion,
      String agent,
      String iface,
      String flowId,
      long seq,
      boolean last,
      String endReason,
      Instant firstSeen,
      Instant lastSeen,
      Integer vlan,
      Integer outerVlan,
      List<String> encapsulation,
      int ipVersion,
      String transport,
      String src,
      int srcPort,
      String dst,
      int dstPort,
      String initiator,
      Counters srcToDst,
      Counters dstToSrc,
      List<String> tcpFlags,
      String protocol,
      PayloadFeatures payload,
      KerberosActivity kerberos,
      StreamEvidence stream,
      HopLimits ttl,
      Handshake handshake,
      Tunnel tunnel) {
    this(
        schemaVersion,
        agent,
        iface,
        flowId,
        seq,
        last,
        endReason,
        firstSeen,
        lastSeen,
        vlan,
        outerVlan,
        encapsulation,
        ipVersion,
        transport,
        src,
        srcPort,
        dst,
        dstPort,
        initiator,
        srcToDst,
        dstToSrc,
        tcpFlags,
        protocol,
        payload,
        kerberos,
        stream,
        ttl,
        handshake,
        tunnel,
        null);
  }

  /** Bytes of both directions. */
  public long totalBytes() {
    return srcToDst.bytes() + dstToSrc.bytes();
  }

  /** True when the port catalog (or a policy's ports) named a migration protocol. */
  public boolean hasCatalogProtocol() {
    return protocol != null;
  }

  /** The same record with another protocol label (the analyzer applies a policy's extra ports). */
  public FlowRecord withProtocol(String newProtocol) {
    return new FlowRecord(
        schemaVersion,
        agent,
        iface,
        flowId,
        seq,
        last,
        endReason,
        firstSeen,
        lastSeen,
        vlan,
        outerVlan,
        encapsulation,
        ipVersion,
        transport,
        src,
        srcPort,
        dst,
        dstPort,
        initiator,
        srcToDst,
        dstToSrc,
        tcpFlags,
        newProtocol,
        payload,
        kerberos,
        stream,
        ttl,
        handshake,
        tunnel,
        vni);
  }

  /** The same record carrying these Kerberos requests (null: none). */
  public FlowRecord withKerberos(KerberosActivity newKerberos) {
    return new FlowRecord(
        schemaVersion,
        agent,
        iface,
        flowId,
        seq,
        last,
        endReason,
        firstSeen,
        lastSeen,
        vlan,
        outerVlan,
        encapsulation,
        ipVersion,
        transport,
        src,
        srcPort,
        dst,
        dstPort,
        initiator,
        srcToDst,
        dstToSrc,
        tcpFlags,
        protocol,
        payload,
        newKerberos,
        stream,
        ttl,
        handshake,
        tunnel,
        vni);
  }

  /**
   * The flow id of the connection this flow is part of: that of the connection's first flow when
   * this one goes on it after a close the hosts did not honour ({@link StreamEvidence#continues}),
   * else the flow's own. A connection's alerts are raised once, under this id.
   */
  public String connectionId() {
    return stream != null && stream.continues() != null ? stream.continues() : flowId;
  }

  /**
   * The same record under another flow id and first and latest packet times (the analyzer clamps
   * times far in the future and gives one flow reported by agents with different clocks one
   * identity).
   */
  public FlowRecord withIdentity(String newFlowId, Instant newFirstSeen, Instant newLastSeen) {
    return new FlowRecord(
        schemaVersion,
        agent,
        iface,
        newFlowId,
        seq,
        last,
        endReason,
        newFirstSeen,
        newLastSeen,
        vlan,
        outerVlan,
        encapsulation,
        ipVersion,
        transport,
        src,
        srcPort,
        dst,
        dstPort,
        initiator,
        srcToDst,
        dstToSrc,
        tcpFlags,
        protocol,
        payload,
        kerberos,
        stream,
        ttl,
        handshake,
        tunnel,
        vni);
  }

  /** The same record with this stream evidence (null, or an unremarkable one: none). */
  public FlowRecord withStream(StreamEvidence newStream) {
    return new FlowRecord(
        schemaVersion,
        agent,
        iface,
        flowId,
        seq,
        last,
        endReason,
        firstSeen,
        lastSeen,
        vlan,
        outerVlan,
        encapsulation,
        ipVersion,
        transport,
        src,
        srcPort,
        dst,
        dstPort,
        initiator,
        srcToDst,
        dstToSrc,
        tcpFlags,
        protocol,
        payload,
        kerberos,
        newStream == null || newStream.unremarkable() ? null : newStream,
        ttl,
        handshake,
        tunnel,
        vni);
  }

  /** The same record carrying these TTL ranges and handshake facts (null: none). */
  public FlowRecord withPath(HopLimits newTtl, Handshake newHandshake) {
    return new FlowRecord(
        schemaVersion,
        agent,
        iface,
        flowId,
        seq,
        last,
        endReason,
        firstSeen,
        lastSeen,
        vlan,
        outerVlan,
        encapsulation,
        ipVersion,
        transport,
        src,
        srcPort,
        dst,
        dstPort,
        initiator,
        srcToDst,
        dstToSrc,
        tcpFlags,
        protocol,
        payload,
        kerberos,
        stream,
        newTtl,
        newHandshake,
        tunnel,
        vni);
  }

  /** The same record in this overlay segment (null: none). */
  public FlowRecord withVni(Integer newVni) {
    return new FlowRecord(
        schemaVersion,
        agent,
        iface,
        flowId,
        seq,
        last,
        endReason,
        firstSeen,
        lastSeen,
        vlan,
        outerVlan,
        encapsulation,
        ipVersion,
        transport,
        src,
        srcPort,
        dst,
        dstPort,
        initiator,
        srcToDst,
        dstToSrc,
        tcpFlags,
        protocol,
        payload,
        kerberos,
        stream,
        ttl,
        handshake,
        tunnel,
        newVni);
  }

  /** The same record travelled in this routed tunnel (null: none). */
  public FlowRecord withTunnel(Tunnel newTunnel) {
    return new FlowRecord(
        schemaVersion,
        agent,
        iface,
        flowId,
        seq,
        last,
        endReason,
        firstSeen,
        lastSeen,
        vlan,
        outerVlan,
        encapsulation,
        ipVersion,
        transport,
        src,
        srcPort,
        dst,
        dstPort,
        initiator,
        srcToDst,
        dstToSrc,
        tcpFlags,
        protocol,
        payload,
        kerberos,
        stream,
        ttl,
        handshake,
        newTunnel,
        vni);
  }

  /**
   * True when a direction of this TCP flow was picked up mid-stream (its first bytes are not its
   * start).
   */
  public boolean midStream() {
    return stream != null && stream.midStream();
  }
}
