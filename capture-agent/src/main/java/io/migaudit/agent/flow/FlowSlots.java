package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;
import java.util.Arrays;

/**
 * Open-addressing hash set of flow entries, looked up with a packet's fields so that no key object
 * is made per packet. Linear probing over a power-of-two array at most three quarters full; removal
 * shifts the following run back instead of leaving tombstones, so lookups never slow down as flows
 * come and go. Grows by doubling and never shrinks (the table's bound caps it).
 */
final class FlowSlots {
  /** A short capture should not pay for a large array. */
  static final int INITIAL_CAPACITY = 1024;

  private FlowEntry[] slots = new FlowEntry[INITIAL_CAPACITY];
  private int mask = INITIAL_CAPACITY - 1;
  private int size;

  /** The entry of the packet's flow, or null; {@code fromA} and {@code hash} as {@link FlowKey} gives them. */
  FlowEntry find(DecodedPacket p, boolean fromA, int hash) {
    FlowEntry[] s = slots;
    int m = mask;
    for (int i = hash & m; ; i = (i + 1) & m) {
      FlowEntry e = s[i];
      if (e == null || (e.hash == hash && e.matches(p, fromA))) {
        return e;
      }
    }
  }

  /** Adds an entry whose key is not in the set. */
  void add(FlowEntry e) {
    if (size + 1 > (slots.length >>> 2) * 3) {
      grow();
    }
    place(slots, mask, e);
    size++;
  }

  /** Removes this entry (by identity); does nothing if it is absent. */
  void remove(FlowEntry e) {
    FlowEntry[] s = slots;
    int m = mask;
    int i = e.hash & m;
    while (s[i] != e) {
      if (s[i] == null) {
        return;
      }
      i = (i + 1) & m;
    }
    size--;
    // backward-shift deletion: move later members of the run into the hole when their home allows
    for (int j = i; ; ) {
      s[i] = null;
      FlowEntry next;
      while (true) {
        j = (j + 1) & m;
        next = s[j];
        if (next == null) {
          return;
        }
        int home = next.hash & m;
        boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (!stays) {
          break;
        }
      }
      s[i] = next;
      i = j;
    }
  }

  int size() {
    return size;
  }

  void clear() {
    Arrays.fill(slots, null);
    size = 0;
  }

  private void grow() {
    FlowEntry[] bigger = new FlowEntry[slots.length << 1];
    int m = bigger.length - 1;
    for (FlowEntry e : slots) {
      if (e != null) {
        place(bigger, m, e);
      }
    }
    slots = bigger;
    mask = m;
  }

  private static void place(FlowEntry[] s, int m, FlowEntry e) {
    int i = e.hash & m;
    while (s[i] != null) {
      i = (i + 1) & m;
    }
    s[i] = e;
  }
}
