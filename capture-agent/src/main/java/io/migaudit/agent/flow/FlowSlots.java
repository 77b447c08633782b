package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;
import java.util.Arrays;

/**
 * Open-addressing hash set of flow entries, looked up with a packet's fields so that no key object
 * is made per packet. Linear probing over a power-of-two array at most three quarters full; removal
 * shifts the following run back instead of leaving tombstones, so lookups never slow down as flows
 * come and go. Grows by doubling and never shrinks (the table's bound caps it).
 *
 * <p>Probing is bounded: no entry sits more than {@link #MAX_PROBE} slots from its home. A run that
 * long makes the array double (once past what the load factor asks, up to {@code maxCapacity});
 * past that the flow is refused. With the per-process seed of {@link FlowKey#hash} nobody can aim
 * flows at one run, so that takes bad luck at the bound, not an attacker.
 */
final class FlowSlots {
  /** A short capture should not pay for a large array. */
  static final int INITIAL_CAPACITY = 1024;

  /** Longest probe run a lookup walks. */
  static final int MAX_PROBE = 128;

  private final int maxCapacity;

  private FlowEntry[] slots = new FlowEntry[INITIAL_CAPACITY];
  private int mask = INITIAL_CAPACITY - 1;
  private int size;

  /**
   * A set that holds at most about {@code maxEntries} (its array grows to twice what they need).
   */
  FlowSlots(int maxEntries) {
    int needed =
        Integer.highestOneBit(
                Math.max(INITIAL_CAPACITY, (int) Math.min(1 << 29, maxEntries * 4L / 3)) - 1)
            << 1;
    this.maxCapacity = Math.max(INITIAL_CAPACITY, Math.min(1 << 30, needed << 1));
  }

  /** A set for up to a million entries (tests). */
  FlowSlots() {
    this(1 << 20);
  }

  /**
   * The entry of the packet's flow, or null; {@code fromA} and {@code hash} as {@link FlowKey}
   * gives them.
   */
  FlowEntry find(DecodedPacket p, boolean fromA, int hash) {
    FlowEntry[] s = slots;
    int m = mask;
    int i = hash & m;
    for (int probes = 0; probes < MAX_PROBE; probes++, i = (i + 1) & m) {
      FlowEntry e = s[i];
      if (e == null || (e.hash == hash && e.matches(p, fromA))) {
        return e;
      }
    }
    return null;
  }

  /**
   * Adds an entry whose key is not in the set; false when its probe run is full at the largest
   * array.
   */
  boolean add(FlowEntry e) {
    if (size + 1 > (slots.length >>> 2) * 3) {
      grow();
    }
    while (!place(slots, mask, e)) {
      if (slots.length >= maxCapacity) {
        return false;
      }
      grow();
    }
    size++;
    return true;
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
      if (e != null && !place(bigger, m, e)) {
        placeAnywhere(
            bigger, m, e); // cannot happen in a larger array in practice; never lose an entry
      }
    }
    slots = bigger;
    mask = m;
  }

  private static boolean place(FlowEntry[] s, int m, FlowEntry e) {
    int i = e.hash & m;
    for (int probes = 0; probes < MAX_PROBE; probes++, i = (i + 1) & m) {
      if (s[i] == null) {
        s[i] = e;
        return true;
      }
    }
    return false;
  }

  private static void placeAnywhere(FlowEntry[] s, int m, FlowEntry e) {
    int i = e.hash & m;
    while (s[i] != null) {
      i = (i + 1) & m;
    }
    s[i] = e;
  }
}
