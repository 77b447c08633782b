package io.migaudit.agent.flow;

import java.util.ArrayList;
import java.util.List;

/**
 * What lets a {@link FlowTable} sweep visit only the flows that may have something due, instead of
 * every tracked flow once per active timeout:
 *
 * <ul>
 *   <li>an interim record can fall due only for a flow that carried a packet since its last record:
 *       one seen since the last sweep (newer than the recency list's mark) or one kept here as
 *       <em>pending</em> because it was not yet due at the last sweep;
 *   <li>a closed flow's linger can end only for a flow kept here as <em>closing</em>;
 *   <li>an open flow can be idle only at the old end of the recency list, which is in order of last
 *       packet give or take how late any packet ever came ({@link #lateMicros}).
 * </ul>
 *
 * The lists hold flows until the next sweep, which drops those the table no longer holds. A flow
 * that leaves the table between two sweeps (evicted, or its 5-tuple reused by a new SYN) stays on a
 * list until then; once such dead references pass {@link #DEAD_SLACK} plus an eighth of a list, the
 * list drops them at once, so a flood of flows that close and are evicted within one sweep period
 * keeps no more than that beyond the table's own bound.
 */
final class DueFlows {
  /** Dead references a list may hold before it drops them, besides an eighth of its length. */
  static final int DEAD_SLACK = 1024;

  private final RecencyList recency;
  private int pendingDead;
  private int closingDead;
  private List<FlowEntry> pending = new ArrayList<>();
  private List<FlowEntry> pendingSpare = new ArrayList<>();
  private List<FlowEntry> closing = new ArrayList<>();
  private List<FlowEntry> closingSpare = new ArrayList<>();
  private long lateMicros;

  /** Lists of flows of the table whose entries {@code recency} holds. */
  DueFlows(RecencyList recency) {
    this.recency = recency;
  }

  /**
   * A flow left the table (after {@link RecencyList#unlink}); counts it where a list may still hold
   * it and drops a list's dead references once they add up.
   */
  void removed(FlowEntry e) {
    if (e.closed() && ++closingDead > DEAD_SLACK + closing.size() / 8) {
      closing.removeIf(x -> !recency.contains(x));
      closingDead = 0;
    }
    if (e.sweepPending() && ++pendingDead > DEAD_SLACK + pending.size() / 8) {
      pending.removeIf(x -> !recency.contains(x));
      pendingDead = 0;
    }
  }

  /** A packet came {@code micros} behind the latest timestamp seen. */
  void late(long micros) {
    if (micros > lateMicros) {
      lateMicros = micros;
    }
  }

  /** The most a packet ever came behind the latest timestamp before it. */
  long lateMicros() {
    return lateMicros;
  }

  /** Keeps an open dirty flow whose interim record was not due at this sweep. */
  void pending(FlowEntry e) {
    pending.add(e);
  }

  /** Keeps a flow that closed (or still lingers) until its linger ends. */
  void closing(FlowEntry e) {
    closing.add(e);
  }

  /**
   * The pending flows kept so far, for the sweep to look at; those it keeps again go to a new list.
   */
  List<FlowEntry> takePending() {
    List<FlowEntry> taken = pending;
    pending = pendingSpare;
    pendingSpare = taken;
    pending.clear();
    pendingDead = 0;
    return taken;
  }

  /** As {@link #takePending()} for the closing flows. */
  List<FlowEntry> takeClosing() {
    List<FlowEntry> taken = closing;
    closing = closingSpare;
    closingSpare = taken;
    closing.clear();
    closingDead = 0;
    return taken;
  }

  /** References the lists hold now, dead ones included (tests). */
  int listed() {
    return pending.size() + closing.size();
  }

  void clear() {
    pending.clear();
    pendingSpare.clear();
    closing.clear();
    closingSpare.clear();
    pendingDead = 0;
    closingDead = 0;
  }
}
