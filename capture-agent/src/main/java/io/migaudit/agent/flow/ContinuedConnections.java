package io.migaudit.agent.flow;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The connection each continuing flow goes on: a flow that took over the streams of a closed one
 * ({@link FlowEntry#continueFrom}) is the same connection, so its records name the connection's
 * first flow ({@code stream.continues}) and the analyzer raises the connection's alerts once,
 * however many forged closes split it into flows. A flow is kept while it is in the table or may
 * still be continued (within the linger after its last packet); empty in ordinary traffic.
 */
final class ContinuedConnections {
  private final Map<FlowEntry, String> firstFlowOf = new IdentityHashMap<>();
  private final long lingerMicros;

  ContinuedConnections(long lingerMicros) {
    this.lingerMicros = lingerMicros;
  }

  /** The flow id of the first flow of the connection {@code e} goes on, or null. */
  String of(FlowEntry e) {
    return firstFlowOf.isEmpty() ? null : firstFlowOf.get(e);
  }

  /** {@code flow} took over the streams of {@code closed}: it goes on the same connection. */
  void continued(FlowEntry flow, FlowEntry closed) {
    String first = firstFlowOf.get(closed);
    first = first != null ? first : closed.flowId();
    if (first != null) {
      firstFlowOf.put(flow, first);
    }
  }

  /** Lets go of the flows that left the table and whose linger ended by {@code nowMicros}. */
  void prune(long nowMicros, RecencyList table) {
    firstFlowOf
        .keySet()
        .removeIf(e -> !table.contains(e) && nowMicros - e.lastSeenMicros() >= lingerMicros);
  }

  boolean isEmpty() {
    return firstFlowOf.isEmpty();
  }

  void clear() {
    firstFlowOf.clear();
  }
}
