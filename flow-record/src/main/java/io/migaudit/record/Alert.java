package io.migaudit.record;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Map;

/**
 * A finding about one flow. At most one alert per (rule, flow); {@code alertId} is derived from both,
 * so replaying the same capture yields the same ids and consumers can de-duplicate.
 *
 * @param schemaVersion {@link SchemaVersion#CURRENT}
 * @param alertId deterministic id (see {@link FlowId#alertId})
 * @param rule which rule fired
 * @param severity how urgent
 * @param protocol migration protocol of the flow (null for non-migration traffic)
 * @param src initiator address
 * @param srcPort initiator port
 * @param dst responder address
 * @param dstPort responder port
 * @param vlan innermost VLAN id, null when untagged
 * @param agent agent that saw the flow
 * @param iface interface or capture file the agent read
 * @param flowId the flow
 * @param firstSeen first packet of the flow (capture time)
 * @param detectedAt capture time of the latest packet in the record that raised the alert
 * @param policyMode the policy's encryption mode when the alert was raised
 * @param evidence the features that decided it (verdict, entropy, networks, ...)
 * @param message one human sentence
 */
public record Alert(
    int schemaVersion,
    String alertId,
    RuleId rule,
    Severity severity,
    String protocol,
    String src,
    int srcPort,
    String dst,
    int dstPort,
    Integer vlan,
    String agent,
    @JsonProperty("interface") String iface,
    String flowId,
    Instant firstSeen,
    Instant detectedAt,
    String policyMode,
    Map<String, Object> evidence,
    String message) {

  public Alert {
    evidence = evidence == null ? Map.of() : Map.copyOf(evidence);
  }
}
