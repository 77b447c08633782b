package io.migaudit.record;

import java.time.Instant;
import java.util.List;

/**
 * A capture agent saying "I was running" on {@link Topics#FLOWS}, every {@code intervalSeconds}
 * while it captures, so a compliance report can tell "no migration happened" from "nobody was
 * watching". Not a flow record: {@code kind} is {@link #KIND}, and it has no flowId, addresses or
 * counters of a flow. An analyzer that predates it reads it as a flow record without the required
 * fields and skips it as malformed (kind "fields"), counted, without stopping.
 *
 * @param schemaVersion {@link SchemaVersion#CURRENT}
 * @param kind always {@link #KIND}: what tells a heartbeat from a flow record
 * @param agent id of the capture agent, as in its flow records
 * @param at wall-clock time of the heartbeat (UTC, microseconds)
 * @param intervalSeconds seconds until the next heartbeat; a report calls a longer silence a gap
 * @param interfaces interfaces (or capture files) the agent reads
 * @param packets packets read since the agent started
 * @param records flow records handed to Kafka (or to the spool) since the agent started
 */
public record AgentHeartbeat(
    int schemaVersion,
    String kind,
    String agent,
    Instant at,
    long intervalSeconds,
    List<String> interfaces,
    long packets,
    long records) {

  /** The value of {@code kind} that marks a heartbeat. */
  public static final String KIND = "heartbeat";

  public AgentHeartbeat {
    interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
  }

  /** A heartbeat of the current schema version. */
  public static AgentHeartbeat of(
      String agent,
      Instant at,
      long intervalSeconds,
      List<String> interfaces,
      long packets,
      long records) {
    return new AgentHeartbeat(
        SchemaVersion.CURRENT, KIND, agent, at, intervalSeconds, interfaces, packets, records);
  }
}
