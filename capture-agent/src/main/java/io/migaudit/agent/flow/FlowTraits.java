package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.Layer;
import io.migaudit.record.AddressText;
import io.migaudit.record.Tunnel;
import java.util.List;

/**
 * What a flow's first packet fixes for its whole life and many flows share: the IP version and
 * protocol, the VLAN ids, the tunnel path, the encapsulation, the routed tunnel's endpoints, the
 * protocol its port names, and how and which way its initiator was told. One immutable object that
 * {@link FlowTraitsCache} hands to every flow with the same traits, so that a {@link FlowEntry}
 * holds one reference instead of a copy of each (memory: a table holds a million entries; most
 * flows of a capture share a handful of traits).
 */
final class FlowTraits {
  /** {@link #evidence}: the initiator sent the SYN (or received the SYN+ACK). */
  static final int EVIDENCE_SYN = 0;

  /** {@link #evidence}: the initiator is the side away from a known or system port. */
  static final int EVIDENCE_PORT = 1;

  /** {@link #evidence}: the initiator sent the first packet seen. */
  static final int EVIDENCE_FIRST_PACKET = 2;

  /** The values of FlowRecord's {@code initiator}, by {@link #evidence}. */
  private static final String[] EVIDENCE = {"syn", "port", "first-packet"};

  /** Golden-ratio multiplier (Fibonacci hashing), as in {@link FlowKey}. */
  private static final long MIX = 0x9E3779B97F4A7C15L;

  /** {@link DecodedPacket#tunnelPath} of the flow's packets: 0 for packets in no tunnel. */
  final long tunnelPath;

  /** The encapsulation's layers as {@link Encapsulations#code} gives them. */
  final long layers;

  /** Innermost and outer VLAN id, or {@link DecodedPacket#NO_VLAN}. */
  final short vlan;

  final short outerVlan;

  /** {@link DecodedPacket#vni}: the innermost overlay's VNI, or {@link DecodedPacket#NO_VNI}. */
  final int vni;

  final byte ipVersion;

  /** Up to {@link DecodedPacket#PROTOCOL_ROCEV2}, beyond a byte. */
  final short ipProtocol;

  /** How the initiator was told: {@link #EVIDENCE_SYN}, ... */
  final byte evidence;

  /** The initiator is endpoint {@code a} of the flow's key (see {@link FlowKey}). */
  final boolean initiatorIsA;

  /** The protocol of the initiator's destination port in the port catalog, or null. */
  final String protocol;

  /** FlowRecord's {@code encapsulation}: an immutable list shared by {@link Encapsulations}. */
  final List<String> encapsulation;

  /** The routed tunnel of {@link DecodedPacket#routedTunnel}, or null. */
  private final Layer routed;

  private final int routedVlan;
  private final long routedLowHi;
  private final long routedLowLo;
  private final long routedHighHi;
  private final long routedHighLo;

  /** FlowRecord's {@code tunnel}, or null. */
  final Tunnel tunnel;

  FlowTraits(
      DecodedPacket first,
      long layers,
      boolean initiatorIsA,
      int evidence,
      String protocol,
      List<String> encapsulation) {
    this.tunnelPath = first.tunnelPath;
    this.layers = layers;
    this.vlan = (short) first.vlan;
    this.outerVlan = (short) first.outerVlan;
    this.vni = first.vni;
    this.ipVersion = (byte) first.ipVersion;
    this.ipProtocol = (short) first.ipProtocol;
    this.evidence = (byte) evidence;
    this.initiatorIsA = initiatorIsA;
    this.protocol = protocol;
    this.encapsulation = encapsulation;
    this.routed = first.routedTunnel;
    this.routedVlan = first.routedVlan;
    this.routedLowHi = first.routedLowHi;
    this.routedLowLo = first.routedLowLo;
    this.routedHighHi = first.routedHighHi;
    this.routedHighLo = first.routedHighLo;
    this.tunnel =
        routed == null
            ? null
            : new Tunnel(
                routed.wire(),
                List.of(
                    AddressText.format(first.routedIpVersion, routedLowHi, routedLowLo),
                    AddressText.format(first.routedIpVersion, routedHighHi, routedHighLo)),
                routedVlan == DecodedPacket.NO_VLAN ? null : routedVlan);
  }

  /** Hash of the traits a new flow's first packet and classification give. */
  static int hash(
      DecodedPacket p, long layers, boolean initiatorIsA, int evidence, String protocol) {
    long h =
        ((long) (p.vlan & 0xFFFF) << 48)
            ^ ((long) (p.outerVlan & 0xFFFF) << 32)
            ^ ((long) p.ipProtocol << 16)
            ^ ((long) p.ipVersion << 8)
            ^ ((long) evidence << 1)
            ^ (initiatorIsA ? 1 : 0);
    h = (h ^ p.tunnelPath) * MIX;
    h = (h ^ layers) * MIX;
    h = (h ^ (protocol == null ? 0 : protocol.hashCode())) * MIX;
    return (int) (h ^ (h >>> 32));
  }

  /** True when these are the traits a new flow's first packet and classification give. */
  boolean fits(DecodedPacket p, long layers, boolean initiatorIsA, int evidence, String protocol) {
    return sameKey(p)
        && p.outerVlan == outerVlan
        && p.vni == vni
        && this.layers == layers
        && this.initiatorIsA == initiatorIsA
        && this.evidence == evidence
        && (this.protocol == null ? protocol == null : this.protocol.equals(protocol))
        && p.routedTunnel == routed
        && p.routedVlan == routedVlan
        && p.routedLowHi == routedLowHi
        && p.routedLowLo == routedLowLo
        && p.routedHighHi == routedHighHi
        && p.routedHighLo == routedHighLo;
  }

  /** True when the packet's IP version, protocol, VLAN and tunnel path are the flow's. */
  boolean sameKey(DecodedPacket p) {
    return p.ipVersion == ipVersion
        && p.ipProtocol == ipProtocol()
        && p.vlan == vlan
        && p.tunnelPath == tunnelPath;
  }

  int ipProtocol() {
    return ipProtocol;
  }

  /** FlowRecord's {@code vlan}. */
  Integer vlanId() {
    return vlan == DecodedPacket.NO_VLAN ? null : (int) vlan;
  }

  /** FlowRecord's {@code outerVlan}. */
  Integer outerVlanId() {
    return outerVlan == DecodedPacket.NO_VLAN ? null : (int) outerVlan;
  }

  /** FlowRecord's {@code vni}. */
  Integer vniId() {
    return vni == DecodedPacket.NO_VNI ? null : vni;
  }

  /** FlowRecord's {@code initiator}. */
  String evidence() {
    return EVIDENCE[evidence];
  }
}
