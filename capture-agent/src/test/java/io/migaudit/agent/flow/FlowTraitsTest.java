package io.migaudit.agent.flow;

import static io.migaudit.agent.flow.Packets.ACK;
import static io.migaudit.agent.flow.Packets.PSH;
import static io.migaudit.agent.flow.Packets.SYN;
import static io.migaudit.agent.flow.Packets.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.Layer;
import io.migaudit.record.FlowRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Flows share their first packet's traits (VLANs, tunnel path, encapsulation, protocol, initiator)
 * through one object per set of traits: each flow's records still say its own, tunnelled and
 * double-tagged flows included, also once more sets of traits come than the cache holds.
 */
class FlowTraitsTest {
  private final List<FlowRecord> records = new ArrayList<>();
  private final FlowTable table = CollectingTables.collecting(100_000, records);

  /** The packet inside a VXLAN tunnel from a QinQ port: outer VLAN, inner VLAN, tunnel path. */
  private static DecodedPacket tunnelled(DecodedPacket p, int outerVlan, int vlan, long path) {
    p.addLayer(Layer.ETHERNET);
    p.addLayer(Layer.QINQ);
    p.addLayer(Layer.VLAN);
    p.addLayer(Layer.IPV4);
    p.addLayer(Layer.VXLAN);
    p.addLayer(Layer.ETHERNET);
    p.addLayer(Layer.VLAN);
    p.outerVlan = outerVlan;
    p.vlan = vlan;
    p.tunnelPath = path;
    return p;
  }

  private static DecodedPacket plain(DecodedPacket p) {
    p.addLayer(Layer.ETHERNET);
    return p;
  }

  @Test
  void tunnelledAndPlainFlowsKeepTheirOwnTraitsInRecords() {
    table.offer(plain(tcp(1, 11, 41011, 12, 8000, SYN, 0)));
    table.offer(tunnelled(tcp(2, 11, 41012, 12, 8000, SYN, 0), 300, 20, 0x1234));
    table.offer(tunnelled(tcp(3, 11, 41012, 12, 8000, SYN, 0), 301, 20, 0x5678));
    table.offer(plain(tcp(4, 13, 50000, 14, 443, ACK | PSH, 100)));
    // the reply of the first tunnelled flow, on another outer VLAN: the flow keeps its first one
    table.offer(tunnelled(tcp(5, 12, 8000, 11, 41012, SYN | ACK, 0), 999, 20, 0x1234));
    assertThat(table.size()).isEqualTo(4);
    table.flush(EndReason.END_OF_CAPTURE);

    List<String> tunnelStack =
        List.of("ethernet", "qinq", "vlan", "ipv4", "vxlan", "ethernet", "vlan");
    assertThat(records)
        .extracting(
            r -> r.srcPort() + " " + r.outerVlan() + " " + r.vlan() + " " + r.protocol(),
            FlowRecord::encapsulation,
            FlowRecord::initiator)
        .containsExactlyInAnyOrder(
            tuple("41011 null null vmotion", List.of("ethernet"), "syn"),
            tuple("41012 300 20 vmotion", tunnelStack, "syn"),
            tuple("41012 301 20 vmotion", tunnelStack, "syn"),
            tuple("50000 null null null", List.of("ethernet"), "port"));
    FlowRecord replied =
        records.stream()
            .filter(r -> r.outerVlan() != null && r.outerVlan() == 300)
            .findFirst()
            .orElseThrow();
    assertThat(replied.dstToSrc().packets()).isEqualTo(1);
  }

  /** A packet that came in an IP-in-IP tunnel between outer endpoints low and high on a VLAN. */
  private static DecodedPacket inIpip(DecodedPacket p, int outerVlan, long low, long high) {
    p.addLayer(Layer.ETHERNET);
    p.addLayer(Layer.VLAN);
    p.addLayer(Layer.IPV4);
    p.addLayer(Layer.IP_IN_IP);
    p.tunnelPath = 0x4242; // the same path for all: only the routed tunnel's facts differ
    p.routedTunnel = Layer.IP_IN_IP;
    p.routedIpVersion = 4;
    p.routedVlan = outerVlan;
    p.routedLowLo = low;
    p.routedHighLo = high;
    return p;
  }

  @Test
  void routedTunnelsKeepTheirOwnEndpointsAndVlanInRecords() {
    table.offer(inIpip(tcp(1, 11, 41011, 12, 8000, SYN, 0), 10, 0x0A0A000B, 0x0A0A000C));
    table.offer(inIpip(tcp(2, 11, 41012, 12, 8000, SYN, 0), 20, 0x0A0A000B, 0x0A0A000C));
    table.offer(inIpip(tcp(3, 11, 41013, 12, 8000, SYN, 0), 10, 0x0A0A000B, 0x0A0A000D));
    table.flush(EndReason.END_OF_CAPTURE);

    assertThat(records)
        .extracting(r -> r.srcPort() + " " + r.tunnel().vlan() + " " + r.tunnel().endpoints())
        .containsExactlyInAnyOrder(
            "41011 10 [10.10.0.11, 10.10.0.12]",
            "41012 20 [10.10.0.11, 10.10.0.12]",
            "41013 10 [10.10.0.11, 10.10.0.13]");
    assertThat(records).allSatisfy(r -> assertThat(r.tunnel().kind()).isEqualTo("ip-in-ip"));
  }

  @Test
  void flowsWithTheSameTraitsShareOneObjectAndOthersGetTheirOwn() {
    FlowTraitsCache cache = new FlowTraitsCache();
    DecodedPacket p = tunnelled(tcp(1, 11, 41011, 12, 8000, SYN, 0), 300, 20, 0x1234);
    FlowTraits shared = cache.of(p, true, FlowTraits.EVIDENCE_SYN, "vmotion");
    DecodedPacket other = tunnelled(tcp(2, 21, 41999, 22, 8000, SYN, 0), 300, 20, 0x1234);
    assertThat(cache.of(other, true, FlowTraits.EVIDENCE_SYN, "vmotion")).isSameAs(shared);

    assertThat(cache.of(p, false, FlowTraits.EVIDENCE_SYN, "vmotion").initiatorIsA).isFalse();
    assertThat(cache.of(p, true, FlowTraits.EVIDENCE_PORT, "vmotion").evidence()).isEqualTo("port");
    assertThat(cache.of(p, true, FlowTraits.EVIDENCE_SYN, null).protocol).isNull();
    p.outerVlan = 301;
    assertThat(cache.of(p, true, FlowTraits.EVIDENCE_SYN, "vmotion").outerVlanId()).isEqualTo(301);
    p.tunnelPath = 0x5678;
    assertThat(cache.of(p, true, FlowTraits.EVIDENCE_SYN, "vmotion").tunnelPath).isEqualTo(0x5678);
    p.layerCount = 1;
    assertThat(cache.of(p, true, FlowTraits.EVIDENCE_SYN, "vmotion").encapsulation)
        .containsExactly("ethernet");
    assertThat(cache.of(other, true, FlowTraits.EVIDENCE_SYN, "vmotion")).isSameAs(shared);
  }

  @Test
  void traitsFitOnlyTheFirstPacketAndClassificationTheyWereMadeFrom() {
    DecodedPacket p = tunnelled(tcp(1, 11, 41011, 12, 8000, SYN, 0), 300, 20, 0x1234);
    FlowTraits t = new FlowTraitsCache().of(p, true, FlowTraits.EVIDENCE_SYN, "vmotion");
    long layers = Encapsulations.code(p);
    assertThat(t.fits(p, layers, true, FlowTraits.EVIDENCE_SYN, "vmotion")).isTrue();
    assertThat(t.fits(p, layers, false, FlowTraits.EVIDENCE_SYN, "vmotion")).isFalse();
    assertThat(t.fits(p, layers, true, FlowTraits.EVIDENCE_PORT, "vmotion")).isFalse();
    assertThat(t.fits(p, layers, true, FlowTraits.EVIDENCE_SYN, null)).isFalse();
    assertThat(t.fits(p, layers, true, FlowTraits.EVIDENCE_SYN, "hyperv")).isFalse();
    assertThat(t.fits(p, layers >>> 8, true, FlowTraits.EVIDENCE_SYN, "vmotion")).isFalse();
    for (int field = 0; field < 5; field++) {
      DecodedPacket q = tunnelled(tcp(1, 11, 41011, 12, 8000, SYN, 0), 300, 20, 0x1234);
      switch (field) {
        case 0 -> q.outerVlan = 301;
        case 1 -> q.vlan = 21;
        case 2 -> q.tunnelPath = 0x1235;
        case 3 -> q.ipVersion = 6;
        default -> q.ipProtocol = 17;
      }
      assertThat(t.fits(q, layers, true, FlowTraits.EVIDENCE_SYN, "vmotion"))
          .as("field %d changed", field)
          .isFalse();
    }
  }

  /** Three sets of traits that land in one set of the cache: the two used last stay. */
  @Test
  void aSetKeepsTheTwoTraitsUsedLast() {
    FlowTraitsCache cache = new FlowTraitsCache();
    DecodedPacket[] same = new DecodedPacket[3];
    int wanted = -1;
    int found = 0;
    for (long path = 1; found < same.length; path++) {
      DecodedPacket p = tunnelled(tcp(1, 11, 41011, 12, 8000, SYN, 0), 300, 20, path);
      int set =
          FlowTraits.hash(p, Encapsulations.code(p), true, FlowTraits.EVIDENCE_SYN, "vmotion")
              & (FlowTraitsCache.SETS - 1);
      if (wanted < 0 || set == wanted) {
        wanted = set;
        same[found++] = p;
      }
    }
    FlowTraits a = cache.of(same[0], true, FlowTraits.EVIDENCE_SYN, "vmotion");
    FlowTraits b = cache.of(same[1], true, FlowTraits.EVIDENCE_SYN, "vmotion");
    assertThat(cache.of(same[0], true, FlowTraits.EVIDENCE_SYN, "vmotion")).isSameAs(a);
    assertThat(cache.of(same[1], true, FlowTraits.EVIDENCE_SYN, "vmotion")).isSameAs(b);
    FlowTraits c = cache.of(same[2], true, FlowTraits.EVIDENCE_SYN, "vmotion"); // a goes
    assertThat(List.of(a.tunnelPath, b.tunnelPath, c.tunnelPath))
        .containsExactly(same[0].tunnelPath, same[1].tunnelPath, same[2].tunnelPath);
    assertThat(cache.of(same[1], true, FlowTraits.EVIDENCE_SYN, "vmotion")).isSameAs(b);
    assertThat(cache.of(same[2], true, FlowTraits.EVIDENCE_SYN, "vmotion")).isSameAs(c);
    FlowTraits again = cache.of(same[0], true, FlowTraits.EVIDENCE_SYN, "vmotion");
    assertThat(again).isNotSameAs(a).isNotSameAs(b).isNotSameAs(c);
    assertThat(again.tunnelPath).isEqualTo(same[0].tunnelPath);
  }

  /** Thousands of tunnel paths (crafted or a large overlay): evicted traits never get mixed up. */
  @Test
  void moreTraitsThanTheCacheHoldsStillGiveEachFlowItsOwn() {
    FlowTraitsCache cache = new FlowTraitsCache();
    DecodedPacket common = plain(tcp(1, 11, 41011, 12, 8000, SYN, 0));
    FlowTraits commonTraits = cache.of(common, true, FlowTraits.EVIDENCE_SYN, "vmotion");
    int flows = FlowTraitsCache.SETS * 6;
    Map<Integer, Integer> outerVlanOfPort = new HashMap<>();
    for (int i = 0; i < flows; i++) {
      int port = 1024 + i;
      int outerVlan = 1 + i % 4000;
      outerVlanOfPort.put(port, outerVlan);
      DecodedPacket p = tunnelled(tcp(10 + i, 11, port, 12, 8000, SYN, 0), outerVlan, 20, i + 1L);
      table.offer(p);
      FlowTraits t = cache.of(p, true, FlowTraits.EVIDENCE_SYN, "vmotion");
      assertThat(t.tunnelPath).isEqualTo(i + 1L);
      assertThat(t.outerVlanId()).isEqualTo(outerVlan);
      // a set of traits in steady use stays in the cache however many others come and go
      assertThat(cache.of(common, true, FlowTraits.EVIDENCE_SYN, "vmotion")).isSameAs(commonTraits);
    }
    assertThat(table.size()).isEqualTo(flows);
    table.flush(EndReason.END_OF_CAPTURE);
    assertThat(records).hasSize(flows);
    for (FlowRecord r : records) {
      assertThat(r.outerVlan())
          .as("port %d", r.srcPort())
          .isEqualTo(outerVlanOfPort.get(r.srcPort()));
      assertThat(r.encapsulation()).hasSize(7).endsWith("vlan");
    }
  }
}
