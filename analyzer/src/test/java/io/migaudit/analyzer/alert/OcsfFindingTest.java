package io.migaudit.analyzer.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migaudit.analyzer.alert.OcsfFinding.ComplianceStatus;
import io.migaudit.analyzer.alert.OcsfFinding.ControlResult;
import io.migaudit.analyzer.rules.ControlCatalog;
import io.migaudit.record.Alert;
import io.migaudit.record.RuleId;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Severity;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alerts and control verdicts as OCSF findings, validated against the bundled schema subset. */
class OcsfFindingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OcsfSchema SCHEMA = OcsfSchema.bundled();
  private static final Instant T0 = Instant.parse("2026-11-23T10:02:00.123456Z");
  private final OcsfFinding findings = new OcsfFinding("1.2.3");

  private static Alert alert(Integer vlan, String src) {
    return new Alert(
        SchemaVersion.CURRENT,
        "a1b2c3",
        RuleId.UNENCRYPTED_MIGRATION,
        Severity.CRITICAL,
        "vmotion",
        src,
        41011,
        "192.168.50.12",
        8000,
        vlan,
        "esx-01",
        "vmk1",
        "f1",
        T0,
        T0.plusSeconds(2),
        "required",
        Map.of("verdict", "plaintext", "entropy", 3.79),
        "Unencrypted vmotion migration",
        ControlCatalog.controlsOf(RuleId.UNENCRYPTED_MIGRATION),
        "e1");
  }

  @Test
  void anAlertIsAValidDetectionFindingWithItsIdAndEvidence() {
    JsonNode f = JSON.valueToTree(findings.detection(alert(50, "192.168.50.11")));
    assertThat(SCHEMA.problems(f)).isEmpty();
    assertThat(f.get("class_uid").asInt()).isEqualTo(2004);
    assertThat(f.get("type_uid").asInt()).isEqualTo(200401);
    assertThat(f.at("/finding_info/uid").asText()).isEqualTo("a1b2c3");
    assertThat(f.at("/finding_info/analytic/name").asText()).isEqualTo("UNENCRYPTED_MIGRATION");
    assertThat(f.get("severity_id").asInt()).isEqualTo(5);
    assertThat(f.get("time").asLong()).isEqualTo(T0.plusSeconds(2).toEpochMilli());
    assertThat(f.at("/evidences/0/src_endpoint/ip").asText()).isEqualTo("192.168.50.11");
    assertThat(f.at("/evidences/0/dst_endpoint/port").asInt()).isEqualTo(8000);
    assertThat(f.at("/evidences/0/src_endpoint/vlan_uid").asText()).isEqualTo("50");
    assertThat(f.at("/evidences/0/data/verdict").asText()).isEqualTo("plaintext");
    assertThat(f.at("/unmapped/controls/0").asText()).isEqualTo("NIST SC-8");
    assertThat(f.at("/metadata/version").asText()).isEqualTo(OcsfFinding.SCHEMA_VERSION);
  }

  @Test
  void ipv6AndUntaggedAlertsValidateToo() {
    assertThat(SCHEMA.problems(JSON.valueToTree(findings.detection(alert(null, "fd00:50::11")))))
        .isEmpty();
  }

  @Test
  void theSchemaRejectsWhatOcsfDoesNotAllow() {
    ObjectNode f = JSON.valueToTree(findings.detection(alert(50, "192.168.50.11")));
    ((ObjectNode) f.get("finding_info")).remove("uid");
    assertThat(SCHEMA.problems(f)).isNotEmpty();
    ObjectNode invented = JSON.valueToTree(findings.detection(alert(50, "192.168.50.11")));
    invented.put("migaudit_rule", "x");
    assertThat(SCHEMA.problems(invented)).as("an attribute the class does not define").isNotEmpty();
    ObjectNode badIp = JSON.valueToTree(findings.detection(alert(50, "not-an-address")));
    assertThat(SCHEMA.problems(badIp)).isNotEmpty();
  }

  @Test
  void controlVerdictsAreValidComplianceFindings() {
    for (ComplianceStatus s : ComplianceStatus.values()) {
      ControlResult c =
          new ControlResult(
              "NIST SC-8(1)",
              "Cryptographic protection",
              s,
              "3 alert(s)",
              s == ComplianceStatus.FAIL ? Severity.CRITICAL : null,
              T0,
              T0.plusSeconds(60),
              s == ComplianceStatus.FAIL ? List.of("a1b2c3") : List.of());
      JsonNode f = JSON.valueToTree(findings.compliance(c));
      assertThat(SCHEMA.problems(f)).as(s.name()).isEmpty();
      assertThat(f.get("class_uid").asInt()).isEqualTo(2003);
      assertThat(f.at("/compliance/standards/0").asText()).isEqualTo("NIST");
      assertThat(f.at("/compliance/control").asText()).isEqualTo("SC-8(1)");
      assertThat(f.at("/compliance/status_id").asInt()).isEqualTo(s.id);
    }
  }

  @Test
  void theOcsfFormatWritesOneFindingPerLineWithTheAlertId(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("alerts.ocsf.jsonl");
    try (JsonLinesSink<Alert> w = AlertFormat.OCSF.create(file)) {
      w.write(List.of(alert(50, "192.168.50.11")));
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(1);
    JsonNode f = JSON.readTree(lines.get(0));
    assertThat(SCHEMA.problems(f)).isEmpty();
    assertThat(f.at("/finding_info/uid").asText()).isEqualTo("a1b2c3");
    StringWriter plain = new StringWriter();
    try (JsonLinesSink<Alert> w = AlertFormat.MIGAUDIT.to(plain)) {
      w.write(List.of(alert(50, "192.168.50.11")));
    }
    assertThat(JSON.readTree(plain.toString()).get("alertId").asText()).isEqualTo("a1b2c3");
  }
}
