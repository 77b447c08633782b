package io.migaudit.cli.report;

import io.migaudit.cli.report.ComplianceReport.ControlVerdict;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * A {@link ComplianceReport} as one self-contained HTML page that reads like an audit artefact: the
 * controls and their state first, then charts, the evidence (migrations, agents) and the
 * drill-down. No script, no network access (Content-Security-Policy {@value #CSP}), inline CSS with
 * print rules, every value escaped.
 */
final class ReportHtml {
  static final String CSP = "default-src 'none'; style-src 'unsafe-inline'";
  private static final String STYLE =
      "body{font-family:sans-serif;font-size:13px;margin:1.5em;color:#222;"
          + "max-width:72em}h1{font-size:22px;margin:0 0 .5em 0}h2{font-size:17px;margin:1.2em 0 .4em 0}"
          + "table{border-collapse:collapse;margin-bottom:1em}"
          + "th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}"
          + "table.facts th{background:none;border:none;padding:1px 12px 1px 0}table.facts td{border:none;padding:1px 0}"
          + "th{background:#eee}td.n{text-align:right}td.id{overflow-wrap:anywhere}"
          + "#controls{width:100%;table-layout:fixed}#controls th:nth-child(1){width:7.5em}"
          + "#controls th:nth-child(2){width:13em}#controls th:nth-child(4){width:5.5em}"
          + "#controls th:nth-child(5){width:3.5em}#controls th:nth-child(6){width:14em}"
          + ".PASS{background:#c8e6c9;font-weight:bold}.FAIL{background:#ffcdd2;font-weight:bold}"
          + ".NOT_OBSERVED{background:#eeeeee}figure{margin:0 0 1.5em 0}figcaption{font-weight:bold}"
          + "@page{size:A4;margin:15mm}@media print{body{margin:0}h2{break-after:avoid}"
          + "tr,figure{break-inside:avoid}}";

  private ReportHtml() {}

  static String render(ComplianceReport r) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .append(CSP)
        .append("\">")
        .append("<title>migaudit compliance report</title>\n<style>")
        .append(STYLE)
        .append("</style></head><body>\n<h1>migaudit compliance report</h1>\n");
    facts(b, r);
    summary(b, r);
    b.append("<h2>Trend</h2>\n<figure><figcaption>Migrations per day by verdict (UTC)</figcaption>")
        .append(ReportCharts.perDay(r.perDay))
        .append("</figure>\n")
        .append("<figure><figcaption>Share of migration bytes by verdict</figcaption>")
        .append(ReportCharts.bytesShare(r.bytesByVerdict))
        .append("</figure>\n")
        .append("<figure><figcaption>Host pairs with most findings</figcaption>")
        .append(ReportCharts.topPairs(r.pairs))
        .append("</figure>\n");
    observed(b, r);
    agents(b, r);
    ReportDrillDown.render(b, r);
    b.append("</body></html>\n");
    return b.toString();
  }

  /** Period, evidence and agents at a glance. */
  private static void facts(StringBuilder b, ComplianceReport r) {
    String period = r.from == null ? "nothing observed" : r.from + " .. " + r.to;
    if (r.window != null) {
      period += " (window " + ComplianceReport.human(r.window) + " before " + r.reference + ")";
    }
    String alerts =
        r.alerts.size()
            + " alert(s)"
            + (r.duplicateAlerts > 0
                ? ", " + r.duplicateAlerts + " repeated alertId(s) counted once"
                : "");
    long silent = r.agents.stream().filter(a -> !a.gaps().isEmpty() || !a.hasHeartbeats()).count();
    b.append("<table class=\"facts\"><tbody><tr><th>Period covered</th><td>")
        .append(esc(period))
        .append("</td></tr><tr><th>Evidence</th><td>")
        .append(esc(alerts))
        .append(", ")
        .append(r.migrationEvents())
        .append(" migration event(s) (")
        .append(r.hosts.size())
        .append(" host(s), ")
        .append(r.hostPairs.size())
        .append(" host pair(s), ")
        .append(r.totalBytes())
        .append(" bytes)</td></tr>")
        .append("<tr><th>Agents</th><td>")
        .append(r.agents.size())
        .append(" (")
        .append(esc(r.agents.stream().map(AgentCoverage::agent).collect(Collectors.joining(", "))))
        .append("); ")
        .append(silent)
        .append(" with gaps or no heartbeat</td></tr></tbody></table>\n");
  }

  private static void summary(StringBuilder b, ComplianceReport r) {
    b.append("<h2>Controls</h2>\n<table id=\"controls\"><thead><tr><th>State</th><th>Control</th>")
        .append(
            "<th>What it asks</th><th>Migrations</th><th>Alerts</th><th>Worst host pair</th></tr></thead>")
        .append("<tbody>\n");
    for (ControlVerdict v : r.verdicts) {
      b.append("<tr><td class=\"")
          .append(v.state().name())
          .append("\">")
          .append(v.state().label())
          .append("</td><td class=\"id\">")
          .append(esc(v.control().id()))
          .append("</td><td>")
          .append(esc(v.control().title()))
          .append("</td><td class=\"n\">")
          .append(v.migrations())
          .append("</td><td class=\"n\">")
          .append(v.alerts())
          .append("</td><td class=\"id\">")
          .append(v.worstPairs().isEmpty() ? "" : esc(ReportText.pairCount(v.worstPairs().get(0))))
          .append("</td></tr>\n");
    }
    for (String c : r.unlistedControls()) {
      b.append("<tr><td class=\"FAIL\">FAIL</td><td class=\"id\">")
          .append(esc(c))
          .append("</td><td></td><td></td><td class=\"n\">")
          .append(r.controls.get(c).alerts)
          .append("</td><td></td></tr>\n");
    }
    b.append(
            "</tbody></table>\n<p>PASS: migrations it applies to were observed and none failed. FAIL: alerts")
        .append(
            " evidence a failure (worst host pairs under \"Alerts per control\"). NOT OBSERVED: no migration")
        .append(" it applies to was seen, no evidence either way.</p>\n");
  }

  private static void observed(StringBuilder b, ComplianceReport r) {
    b.append(
            "<h2>Observed migrations</h2>\n<table><thead><tr><th>Protocol</th><th>Verdict</th><th>Events</th>")
        .append("<th>Streams</th><th>Bytes</th></tr></thead><tbody>\n");
    r.observed.forEach(
        (protocol, byVerdict) ->
            byVerdict.forEach(
                (verdict, o) ->
                    b.append("<tr><td>")
                        .append(esc(protocol))
                        .append("</td><td>")
                        .append(verdict.wire())
                        .append("</td><td class=\"n\">")
                        .append(o.events)
                        .append("</td><td class=\"n\">")
                        .append(o.streams)
                        .append("</td><td class=\"n\">")
                        .append(o.bytes)
                        .append("</td></tr>\n")));
    if (r.observed.isEmpty()) {
      b.append("<tr><td colspan=\"5\">none: give migration events to show what passed</td></tr>\n");
    }
    b.append("</tbody></table>\n<p>")
        .append(r.hosts.size())
        .append(" host(s), ")
        .append(r.hostPairs.size())
        .append(" host pair(s): ")
        .append(esc(String.join(", ", r.hostPairs)))
        .append("</p>\n");
  }

  private static void agents(StringBuilder b, ComplianceReport r) {
    b.append(
            "<h2>Agents and coverage</h2>\n<table><thead><tr><th>Agent</th><th>Alerts</th><th>Events</th>")
        .append("<th>Coverage</th></tr></thead><tbody>\n");
    for (AgentCoverage a : r.agents) {
      b.append("<tr><td>")
          .append(esc(a.agent()))
          .append("</td><td class=\"n\">")
          .append(a.alerts())
          .append("</td><td class=\"n\">")
          .append(a.events())
          .append("</td><td>")
          .append(esc(ReportText.coverage(a)))
          .append("</td></tr>\n");
    }
    if (r.agents.isEmpty()) {
      b.append("<tr><td colspan=\"4\">none</td></tr>\n");
    }
    b.append("</tbody></table>\n");
  }

  static String joined(Collection<String> values) {
    return values.stream().map(ReportHtml::esc).collect(Collectors.joining("<br>"));
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if (c < 0x20 && c != '\t' && c != '\n') {
            b.append("&#xFFFD;");
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
