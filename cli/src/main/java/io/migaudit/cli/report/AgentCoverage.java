package io.migaudit.cli.report;

import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One agent's part in a report: what it reported and, from its heartbeats, when it was silent. A
 * silence is a gap when it lasts longer than {@link #MISSED_BEATS} heartbeat intervals, between two
 * heartbeats or between the report period's edge and the agent's first or last heartbeat.
 *
 * @param agent the agent id
 * @param heartbeats heartbeats read
 * @param firstBeat first heartbeat, null when none
 * @param lastBeat last heartbeat, null when none
 * @param alerts alerts about flows it saw
 * @param events migration events whose first stream it saw
 * @param gaps silences, in time order
 */
record AgentCoverage(
    String agent,
    int heartbeats,
    Instant firstBeat,
    Instant lastBeat,
    int alerts,
    int events,
    List<Gap> gaps) {
  /** Heartbeats that may be missed before the silence counts as a gap. */
  static final int MISSED_BEATS = 2;

  /** A time the agent said nothing. */
  record Gap(Instant from, Instant to) {
    Duration length() {
      return Duration.between(from, to);
    }
  }

  /**
   * The agents named by any of the inputs, by id; gaps only within {@code periodFrom..periodTo}.
   */
  static List<AgentCoverage> of(
      List<Alert> alerts,
      List<MigrationEvent> events,
      List<AgentHeartbeat> beats,
      Instant periodFrom,
      Instant periodTo) {
    Map<String, int[]> counts = new TreeMap<>();
    Map<String, List<AgentHeartbeat>> byAgent = new TreeMap<>();
    alerts.forEach(a -> counts.computeIfAbsent(String.valueOf(a.agent()), k -> new int[2])[0]++);
    events.forEach(e -> counts.computeIfAbsent(String.valueOf(e.agent()), k -> new int[2])[1]++);
    for (AgentHeartbeat h : beats) {
      counts.computeIfAbsent(h.agent(), k -> new int[2]);
      byAgent.computeIfAbsent(h.agent(), k -> new ArrayList<>()).add(h);
    }
    List<AgentCoverage> out = new ArrayList<>();
    counts.forEach(
        (agent, n) -> {
          List<AgentHeartbeat> hs =
              byAgent.getOrDefault(agent, List.of()).stream()
                  .sorted(Comparator.comparing(AgentHeartbeat::at))
                  .toList();
          Instant first = hs.isEmpty() ? null : hs.get(0).at();
          Instant last = hs.isEmpty() ? null : hs.get(hs.size() - 1).at();
          out.add(
              new AgentCoverage(
                  agent, hs.size(), first, last, n[0], n[1], gaps(hs, periodFrom, periodTo)));
        });
    return out;
  }

  private static List<Gap> gaps(List<AgentHeartbeat> sorted, Instant periodFrom, Instant periodTo) {
    List<Gap> gaps = new ArrayList<>();
    if (sorted.isEmpty()) {
      return gaps;
    }
    AgentHeartbeat first = sorted.get(0);
    addIfSilent(gaps, periodFrom, first.at(), allowed(first));
    for (int i = 1; i < sorted.size(); i++) {
      addIfSilent(gaps, sorted.get(i - 1).at(), sorted.get(i).at(), allowed(sorted.get(i - 1)));
    }
    AgentHeartbeat last = sorted.get(sorted.size() - 1);
    addIfSilent(gaps, last.at(), periodTo, allowed(last));
    return gaps;
  }

  private static Duration allowed(AgentHeartbeat h) {
    return Duration.ofSeconds(Math.max(1, h.intervalSeconds()) * MISSED_BEATS);
  }

  private static void addIfSilent(List<Gap> gaps, Instant from, Instant to, Duration allowed) {
    if (from != null && to != null && Duration.between(from, to).compareTo(allowed) > 0) {
      gaps.add(new Gap(from, to));
    }
  }

  /** True when its heartbeats say when it was watching. */
  boolean hasHeartbeats() {
    return heartbeats > 0;
  }
}
