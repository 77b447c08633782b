package io.migaudit.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.decode.DecodedPacket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The open-addressing set against a HashMap model: random adds and removes with hashes crowded into
 * a few slots (long probe runs that wrap around the array end), through several resizes.
 */
class FlowSlotsTest {
  private static final FlowTraitsCache TRAITS = new FlowTraitsCache();

  @Test
  void findsWhatWasAddedAndNotWhatWasRemoved() {
    Random r = new Random(6);
    FlowSlots slots = new FlowSlots();
    Map<Integer, FlowEntry> model = new HashMap<>();
    List<Integer> live = new ArrayList<>();
    for (int step = 0; step < 200_000; step++) {
      int port = r.nextInt(5000);
      if (model.containsKey(port) && r.nextInt(3) > 0) {
        FlowEntry e = model.remove(port);
        live.remove(Integer.valueOf(port));
        slots.remove(e);
      } else if (!model.containsKey(port)) {
        FlowEntry e = entry(packet(port), true, crowdedHash(port));
        slots.add(e);
        model.put(port, e);
        live.add(port);
      }
      if (step % 20_000 == 0 || step > 199_950) {
        assertThat(slots.size()).isEqualTo(model.size());
        for (int p = 0; p < 5000; p++) {
          assertThat(slots.find(packet(p), true, crowdedHash(p)))
              .as("port %d at step %d", p, step)
              .isSameAs(model.get(p));
        }
      }
    }
    assertThat(live).hasSize(model.size());
  }

  @Test
  void bothDirectionsFindTheSameEntry() {
    FlowSlots slots = new FlowSlots();
    DecodedPacket out = packet(40000);
    boolean fromA = FlowKey.sourceIsA(out);
    FlowEntry e = entry(out, fromA, FlowKey.hash(out, fromA));
    slots.add(e);
    DecodedPacket back = packet(40000);
    back.srcLo = out.dstLo;
    back.dstLo = out.srcLo;
    back.srcPort = out.dstPort;
    back.dstPort = out.srcPort;
    boolean backFromA = FlowKey.sourceIsA(back);
    assertThat(backFromA).isNotEqualTo(fromA);
    assertThat(FlowKey.hash(back, backFromA)).isEqualTo(FlowKey.hash(out, fromA));
    assertThat(slots.find(back, backFromA, FlowKey.hash(back, backFromA))).isSameAs(e);
    back.vlan = 7;
    assertThat(slots.find(back, backFromA, FlowKey.hash(back, backFromA))).isNull();
  }

  /**
   * Hashes that pile up: eight keys per home slot, homes 13 apart, some wrapping round the array.
   */
  private static int crowdedHash(int port) {
    return (port / 8) * 13 - 40;
  }

  /** Entries with one hash: the worst an attacker who knew the hash could do. */
  @Test
  void probingIsBoundedAndAFullRunRefusesNewEntries() {
    FlowSlots slots = new FlowSlots(100);
    int accepted = 0;
    for (int port = 0; port < 1000; port++) {
      if (slots.add(entry(packet(port), true, 12345))) {
        accepted++;
      }
    }
    assertThat(accepted).isEqualTo(FlowSlots.MAX_PROBE);
    assertThat(slots.size()).isEqualTo(FlowSlots.MAX_PROBE);
    for (int port = 0; port < 1000; port++) {
      FlowEntry found = slots.find(packet(port), true, 12345);
      assertThat(found == null).as("port %d", port).isEqualTo(port >= FlowSlots.MAX_PROBE);
    }
  }

  @Test
  void theProcessSeedDecidesWhichKeysShareASlot() {
    int sameHome = 0;
    int sameUnderDefault = 0;
    for (int port = 1; port <= 1000; port++) {
      int a = FlowKey.hash(1L, 4, 6, -1, 0, 0x0A000001L, port, 0, 0x0A000002L, 8000);
      int b = FlowKey.hash(2L, 4, 6, -1, 0, 0x0A000001L, port, 0, 0x0A000002L, 8000);
      int seeded = FlowKey.hash(4, 6, -1, 0, 0x0A000001L, port, 0, 0x0A000002L, 8000);
      sameHome += (a & 1023) == (b & 1023) ? 1 : 0;
      sameUnderDefault += seeded == a ? 1 : 0;
    }
    assertThat(sameHome).as("keys sharing a home slot under two seeds").isLessThan(10);
    assertThat(sameUnderDefault).as("the process's own seed is random, not 1").isLessThan(10);
  }

  private static FlowEntry entry(DecodedPacket first, boolean fromA, int hash) {
    return new FlowEntry(first, fromA, hash, TRAITS.of(first, true, FlowTraits.EVIDENCE_SYN, null));
  }

  private static DecodedPacket packet(int srcPort) {
    DecodedPacket p = new DecodedPacket();
    p.reset();
    p.ipVersion = 4;
    p.ipProtocol = 6;
    p.srcLo = 0x0A000001L;
    p.dstLo = 0x0A000002L;
    p.srcPort = srcPort;
    p.dstPort = 8000;
    return p;
  }
}
