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
        FlowEntry e = new FlowEntry(packet(port), true, crowdedHash(port), true, "syn", null, List.of());
        slots.add(e);
        model.put(port, e);
        live.add(port);
      }
      if (step % 20_000 == 0 || step > 199_950) {
        assertThat(slots.size()).isEqualTo(model.size());
        for (int p = 0; p < 5000; p++) {
          assertThat(slots.find(packet(p), true, crowdedHash(p))).as("port %d at step %d", p, step)
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
    FlowEntry e = new FlowEntry(out, fromA, FlowKey.hash(out, fromA), true, "syn", null, List.of());
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

  /** Hashes that pile up: 5000 keys on 64 home slots, some near the end of the array. */
  private static int crowdedHash(int port) {
    return (port % 64) * 0x01000001 - 40;
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
