package io.migaudit.agent.flow;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The connection each continuing flow of the table goes on: a flow that took over the streams of a
 * closed one ({@link FlowEntry#continueFrom}) is the same connection, so its records name the
 * connection's first flow ({@code stream.continues}) and the analyzer raises the connection's
 * alerts once, however many forged closes split it into flows. A flow is kept while the table holds
 * it, so this is bounded by the table; a closed flow's connection is read before it leaves (by the
 * flow that goes on, or the {@link ReopenedFlows} that keep it). Empty in ordinary traffic.
 */
final class ContinuedConnections {
  private final Map<FlowEntry, String> firstFlowOf = new IdentityHashMap<>();

  /** The flow id of the first flow of the connection {@code e} goes on, or null. */
  String of(FlowEntry e) {
    return firstFlowOf.isEmpty() ? null : firstFlowOf.get(e);
  }

  /** {@code flow} goes on the connection whose first flow is {@code firstFlowId}. */
  void continued(FlowEntry flow, String firstFlowId) {
    firstFlowOf.put(flow, firstFlowId);
  }

  /** {@code e} left the table, its last record written. */
  void removed(FlowEntry e) {
    firstFlowOf.remove(e);
  }

  boolean isEmpty() {
    return firstFlowOf.isEmpty();
  }

  void clear() {
    firstFlowOf.clear();
  }

  /** Flows that go on a connection (tests). */
  int size() {
    return firstFlowOf.size();
  }
}
