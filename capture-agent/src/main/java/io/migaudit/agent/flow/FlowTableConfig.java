package io.migaudit.agent.flow;

import java.time.Duration;

/**
 * Bounds and timeouts of the flow table. All durations are measured in packet time.
 *
 * @param maxFlows flows tracked at once; a new flow beyond it evicts the least recently seen one
 * @param activeTimeout cadence of interim records while a flow lives
 * @param idleTimeout a flow with no packet for this long ends with reason {@code idle}
 * @param closedLinger how long a flow that ended on FIN/RST keeps absorbing its trailing packets
 */
public record FlowTableConfig(
    int maxFlows, Duration activeTimeout, Duration idleTimeout, Duration closedLinger) {

  public FlowTableConfig {
    if (maxFlows < 1) {
      throw new IllegalArgumentException("maxFlows must be at least 1, not " + maxFlows);
    }
    if (activeTimeout.isNegative() || activeTimeout.isZero()) {
      throw new IllegalArgumentException("activeTimeout must be positive");
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive");
    }
  }

  /** 262,144 flows, interim records every second, 60 s idle timeout, 2 s linger after close. */
  public static FlowTableConfig defaults() {
    return new FlowTableConfig(
        262_144, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(2));
  }
}
