package io.migaudit.analyzer.alert;

import io.migaudit.record.Alert;
import io.migaudit.record.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * migaudit's findings in the Open Cybersecurity Schema Framework (OCSF) {@value #SCHEMA_VERSION},
 * the shape Splunk, Elastic, Sentinel and Amazon Security Lake ingest: each alert is a Detection
 * Finding (class_uid {@value #DETECTION_FINDING}) whose {@code finding_info.uid} is the alert's id,
 * so a SIEM de-duplicates repeats exactly as migaudit does; each control verdict of a report is a
 * Compliance Finding (class_uid {@value #COMPLIANCE_FINDING}). Evidence goes in the standard fields
 * ({@code evidences[].src_endpoint/dst_endpoint/data}, {@code finding_info.analytic} for the rule);
 * what OCSF has no field for (agent, interface, flow and event ids, policy mode, controls) goes in
 * {@code unmapped}. Times are epoch milliseconds ({@code timestamp_t}).
 */
public final class OcsfFinding {
  public static final String SCHEMA_VERSION = "1.3.0";
  public static final int DETECTION_FINDING = 2004;
  public static final int COMPLIANCE_FINDING = 2003;
  private static final int FINDINGS_CATEGORY = 2;
  private static final int ACTIVITY_CREATE = 1;
  private static final int STATUS_NEW = 1;

  /**
   * A control's result as OCSF's compliance status: Pass, Fail, or Warning (no result for want of
   * data).
   */
  public enum ComplianceStatus {
    PASS(1, "Pass"),
    WARNING(2, "Warning"),
    FAIL(3, "Fail");

    final int id;
    final String caption;

    ComplianceStatus(int id, String caption) {
      this.id = id;
      this.caption = caption;
    }
  }

  /**
   * One control's verdict over a period.
   *
   * @param controlId as in {@link Alert#controls()}, e.g. "NIST SC-8": the framework, a space, the
   *     control
   * @param title what the control asks
   * @param status its result
   * @param detail one sentence of evidence
   * @param worst the most severe alert's severity, null when none
   * @param alertIds the alerts that evidence a failure (their finding_info.uid)
   */
  public record ControlResult(
      String controlId,
      String title,
      ComplianceStatus status,
      String detail,
      Severity worst,
      Instant from,
      Instant to,
      List<String> alertIds) {}

  private final String productVersion;

  /**
   * @param productVersion migaudit's version, written in {@code metadata.product.version}
   */
  public OcsfFinding(String productVersion) {
    this.productVersion = productVersion == null ? "dev" : productVersion;
  }

  /** The Detection Finding of one alert. */
  public Map<String, Object> detection(Alert a) {
    Map<String, Object> f =
        base(DETECTION_FINDING, "Detection Finding", a.detectedAt(), a.severity());
    f.put("start_time", millis(a.firstSeen()));
    f.put("end_time", millis(a.detectedAt()));
    f.put("message", a.message());
    f.put("is_alert", true);
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("uid", a.alertId());
    info.put("title", a.rule() + " " + a.src() + " -> " + a.dst());
    info.put("desc", a.message());
    info.put("types", List.of(String.valueOf(a.rule())));
    info.put(
        "analytic",
        Map.of(
            "uid",
            String.valueOf(a.rule()),
            "name",
            String.valueOf(a.rule()),
            "type_id",
            1,
            "type",
            "Rule"));
    info.put("first_seen_time", millis(a.firstSeen()));
    info.put("last_seen_time", millis(a.detectedAt()));
    f.put("finding_info", info);
    Map<String, Object> evidence = new LinkedHashMap<>();
    evidence.put("src_endpoint", endpoint(a.src(), a.srcPort(), a.vlan()));
    evidence.put("dst_endpoint", endpoint(a.dst(), a.dstPort(), a.vlan()));
    Map<String, Object> data = new LinkedHashMap<>(new TreeMap<>(a.evidence()));
    if (a.protocol() != null) {
      data.put("protocol", a.protocol());
    }
    evidence.put("data", data);
    f.put("evidences", List.of(evidence));
    Map<String, Object> unmapped = new LinkedHashMap<>();
    unmapped.put("agent", a.agent());
    unmapped.put("interface", a.iface());
    unmapped.put("flow_id", a.flowId());
    unmapped.put("event_id", a.eventId());
    unmapped.put("policy_mode", a.policyMode());
    unmapped.put("controls", a.controls());
    f.put("unmapped", unmapped);
    return f;
  }

  /** The Compliance Finding of one control's verdict. */
  public Map<String, Object> compliance(ControlResult c) {
    Severity severity = c.status() == ComplianceStatus.FAIL ? c.worst() : Severity.INFO;
    Map<String, Object> f = base(COMPLIANCE_FINDING, "Compliance Finding", c.to(), severity);
    if (c.from() != null) {
      f.put("start_time", millis(c.from()));
      f.put("end_time", millis(c.to()));
    }
    f.put("message", c.controlId() + ": " + c.status().caption + ": " + c.detail());
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("uid", "migaudit-control/" + c.controlId() + "/" + c.from() + "/" + c.to());
    info.put("title", c.controlId() + " " + c.status().caption);
    info.put("desc", c.title());
    info.put("types", List.of("Compliance"));
    if (!c.alertIds().isEmpty()) {
      List<Map<String, Object>> related = new ArrayList<>();
      c.alertIds()
          .forEach(
              id -> related.add(Map.of("uid", id, "type_id", 99, "type", "Detection Finding")));
      info.put("related_events", related);
      info.put("related_events_count", c.alertIds().size());
    }
    f.put("finding_info", info);
    int space = c.controlId().lastIndexOf(' ');
    Map<String, Object> compliance = new LinkedHashMap<>();
    compliance.put(
        "standards", List.of(space < 0 ? c.controlId() : c.controlId().substring(0, space)));
    compliance.put("control", space < 0 ? c.controlId() : c.controlId().substring(space + 1));
    compliance.put("status_id", c.status().id);
    compliance.put("status", c.status().caption);
    compliance.put("status_detail", c.detail());
    f.put("compliance", compliance);
    return f;
  }

  private Map<String, Object> base(
      int classUid, String className, Instant time, Severity severity) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("class_uid", classUid);
    f.put("class_name", className);
    f.put("category_uid", FINDINGS_CATEGORY);
    f.put("category_name", "Findings");
    f.put("activity_id", ACTIVITY_CREATE);
    f.put("activity_name", "Create");
    f.put("type_uid", classUid * 100 + ACTIVITY_CREATE);
    f.put("type_name", className + ": Create");
    f.put("time", millis(time));
    f.put("severity_id", severityId(severity));
    f.put("severity", severityCaption(severity));
    f.put("status_id", STATUS_NEW);
    f.put("status", "New");
    f.put(
        "metadata",
        Map.of(
            "version",
            SCHEMA_VERSION,
            "product",
            Map.of("name", "migaudit", "vendor_name", "migaudit", "version", productVersion)));
    return f;
  }

  /** OCSF severity_id: 1 Informational, 3 Medium, 5 Critical (0 Unknown when none). */
  static int severityId(Severity s) {
    if (s == null) {
      return 0;
    }
    return switch (s) {
      case CRITICAL -> 5;
      case WARNING -> 3;
      case INFO -> 1;
    };
  }

  private static String severityCaption(Severity s) {
    return switch (severityId(s)) {
      case 5 -> "Critical";
      case 3 -> "Medium";
      case 1 -> "Informational";
      default -> "Unknown";
    };
  }

  private static Map<String, Object> endpoint(String ip, int port, Integer vlan) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("ip", ip);
    e.put("port", port);
    if (vlan != null) {
      e.put("vlan_uid", String.valueOf(vlan));
    }
    return e;
  }

  private static long millis(Instant t) {
    return t == null ? 0 : t.toEpochMilli();
  }
}
