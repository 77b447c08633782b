package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.Layer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Shares one immutable encapsulation list (FlowRecord.encapsulation) among all flows with the same
 * layer stack: a capture has a handful of stacks, so flows' {@link FlowTraits} hold a reference
 * instead of a copy, and records reuse the list ({@code List.copyOf} of an immutable list is the
 * list itself). Past {@link #MAX_STACKS} distinct stacks (crafted tunnels) new stacks get their own
 * list.
 */
final class Encapsulations {
  static final int MAX_STACKS = 1024;

  /** Bits per layer in a stack's code: room for 255 layer kinds. */
  private static final int BITS = 8;

  private final Map<Long, List<String>> stacks = new HashMap<>();

  /** The packet's layer stack as a number: the same for the same layers, outermost first. */
  static long code(DecodedPacket p) {
    long code = 0;
    for (int i = 0; i < p.layerCount; i++) {
      code = (code << BITS) | (p.layers[i].ordinal() + 1);
    }
    return code;
  }

  /** The list of the packet's layers, outermost first; {@code code} as {@link #code} gives it. */
  List<String> of(DecodedPacket p, long code) {
    List<String> list = stacks.get(code);
    if (list == null) {
      list = listOf(p.layers, p.layerCount);
      if (stacks.size() < MAX_STACKS) {
        stacks.put(code, list);
      }
    }
    return list;
  }

  private static List<String> listOf(Layer[] layers, int count) {
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(layers[i].wire());
    }
    return List.copyOf(names);
  }
}
