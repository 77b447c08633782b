package io.migaudit.agent.flow;

/**
 * The flow table's entries from the least to the most recently seen, a doubly linked list threaded
 * through the entries (their {@code older} and {@code newer} fields), as {@code LinkedHashMap}'s
 * access order would keep them without an object per entry.
 *
 * <p>It also keeps a mark between the entries seen before the last sweep and those seen since:
 * everything newer than {@link #mark()} was added or touched after {@link #markAll()}, so a sweep
 * finds the flows that carried packets since the previous one without walking the others.
 */
final class RecencyList {
  /** Entries from the eldest that eviction looks at for a weaker victim than the eldest. */
  static final int EVICTION_SCAN = 32;

  /** Least and most recently seen entries. */
  private FlowEntry eldest;

  private FlowEntry newest;

  /** The newest entry not seen since {@link #markAll()}; null when every entry was. */
  private FlowEntry mark;

  FlowEntry eldest() {
    return eldest;
  }

  /**
   * The newest entry seen before the last {@link #markAll()}: entries after it were seen since;
   * null when all were.
   */
  FlowEntry mark() {
    return mark;
  }

  /**
   * The flow to evict for a new one: among the {@link #EVICTION_SCAN} least recently seen, the
   * first closed or one-packet flow (a scan's or flood's half-open SYN); else the first that is not
   * a migration-port flow with a handshake; else the least recently seen. A flood of one-packet
   * flows thus never pushes out an established migration stream, even one that paused.
   */
  FlowEntry victim() {
    FlowEntry firstUnprotected = null;
    int looked = 0;
    for (FlowEntry e = eldest; e != null && looked < EVICTION_SCAN; e = e.newer, looked++) {
      int rank = e.evictionRank();
      if (rank == FlowEntry.EVICT_FIRST) {
        return e;
      }
      if (rank == FlowEntry.EVICT_NEXT && firstUnprotected == null) {
        firstUnprotected = e;
      }
    }
    return firstUnprotected != null ? firstUnprotected : eldest;
  }

  /** Marks every entry in the list as seen before now. */
  void markAll() {
    mark = newest;
  }

  /** True while {@code e} is in the list. */
  boolean contains(FlowEntry e) {
    return e.older != null || e == eldest;
  }

  /** Adds a new entry as the most recently seen. */
  void append(FlowEntry e) {
    e.older = newest;
    e.newer = null;
    if (newest == null) {
      eldest = e;
    } else {
      newest.newer = e;
    }
    newest = e;
  }

  /** Moves an entry to the recent end, as a lookup in an access-ordered map would. */
  void touch(FlowEntry e) {
    if (e == mark) {
      mark = e.older; // seen now: it leaves the entries not seen since the mark
    }
    if (e != newest) {
      unlink(e);
      append(e);
    }
  }

  void unlink(FlowEntry e) {
    if (e == mark) {
      mark = e.older; // the entries before it were still not seen since the mark
    }
    if (e.older == null) {
      eldest = e.newer;
    } else {
      e.older.newer = e.newer;
    }
    if (e.newer == null) {
      newest = e.older;
    } else {
      e.newer.older = e.older;
    }
    e.older = e.newer = null;
  }

  void clear() {
    eldest = newest = mark = null;
  }
}
