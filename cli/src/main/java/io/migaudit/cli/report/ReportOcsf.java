package io.migaudit.cli.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migaudit.analyzer.alert.OcsfFinding;
import io.migaudit.analyzer.alert.OcsfFinding.ComplianceStatus;
import io.migaudit.analyzer.alert.OcsfFinding.ControlResult;
import io.migaudit.cli.report.ComplianceReport.ControlVerdict;
import io.migaudit.record.Alert;
import io.migaudit.record.Severity;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code report --format ocsf}: one OCSF Compliance Finding per control (PASS, FAIL, NOT OBSERVED
 * as Pass, Fail, Warning), then one Detection Finding per alert (once per alertId), as JSON lines.
 */
final class ReportOcsf {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReportOcsf() {}

  static List<String> lines(ComplianceReport r) {
    OcsfFinding findings =
        new OcsfFinding(ReportOcsf.class.getPackage().getImplementationVersion());
    List<String> out = new ArrayList<>();
    for (ControlVerdict v : r.verdicts) {
      out.add(json(findings.compliance(result(r, v))));
    }
    for (Alert a : r.alerts) {
      out.add(json(findings.detection(a)));
    }
    return out;
  }

  private static ControlResult result(ComplianceReport r, ControlVerdict v) {
    ComplianceStatus status =
        switch (v.state()) {
          case PASS -> ComplianceStatus.PASS;
          case FAIL -> ComplianceStatus.FAIL;
          case NOT_OBSERVED -> ComplianceStatus.WARNING;
        };
    ComplianceReport.ControlRow row = r.controls.get(v.control().id());
    Severity worst =
        row == null || row.severities.isEmpty() ? null : row.severities.keySet().iterator().next();
    List<String> ids =
        r.alerts.stream()
            .filter(a -> a.controls().contains(v.control().id()))
            .map(Alert::alertId)
            .toList();
    return new ControlResult(
        v.control().id(),
        v.control().title(),
        status,
        ReportText.summary(v),
        worst,
        r.from,
        r.to,
        ids);
  }

  private static String json(Map<String, Object> finding) {
    try {
      return JSON.writeValueAsString(finding);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
