package io.migaudit.record;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A finding about one flow. At most one alert per (rule, flow); {@code alertId} is derived from
 * both, so replaying the same capture yields the same ids and consumers can de-duplicate.
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
 * @param controls the audit controls this alert is evidence for (e.g. {@code "NIST SC-8"}, {@code
 *     "DISA ESXI-80-000160"}); empty when none is mapped. Added within schema version 1: readers
 *     ignore fields they do not know, and an alert written before it reads as empty
 * @param eventId the {@link MigrationEvent} the flow belongs to; null for flows that are not
 *     migrations (or alerts written before events existed)
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
    String message,
    List<String> controls,
    String eventId) {

  public Alert {
    evidence = evidence == null ? Map.of() : Map.copyOf(evidence);
    controls = controls == null ? List.of() : List.copyOf(controls);
  }

  /** An alert that names no controls. */
  public Alert(
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
      String iface,
      String flowId,
      Instant firstSeen,
      Instant detectedAt,
      String policyMode,
      Map<String, Object> evidence,
      String message) {
    this(
        schemaVersion,
        alertId,
        rule,
        severity,
        protocol,
        src,
        srcPort,
        dst,
        dstPort,
        vlan,
        agent,
        iface,
        flowId,
        firstSeen,
        detectedAt,
        policyMode,
        evidence,
        message,
        List.of(),
        null);
  }

  /** This alert naming the migration event its flow belongs to. */
  public Alert withEventId(String newEventId) {
    return new Alert(
        schemaVersion,
        alertId,
        rule,
        severity,
        protocol,
        src,
        srcPort,
        dst,
        dstPort,
        vlan,
        agent,
        iface,
        flowId,
        firstSeen,
        detectedAt,
        policyMode,
        evidence,
        message,
        controls,
        newEventId);
  }
}
