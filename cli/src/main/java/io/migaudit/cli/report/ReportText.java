package io.migaudit.cli.report;

import io.migaudit.cli.report.ComplianceReport.ControlVerdict;
import io.migaudit.cli.report.ComplianceReport.PairCount;
import io.migaudit.record.Severity;
import io.migaudit.record.Verdict;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A {@link ComplianceReport} as plain text: verdicts first, then the evidence, then the drill-down.
 */
final class ReportText {
  private ReportText() {}

  static String render(ComplianceReport r) {
    StringBuilder b = new StringBuilder();
    b.append("migaudit compliance report\n").append(header(r)).append("\n\n");
    controls(b, r);
    observed(b, r);
    agents(b, r);
    drillDown(b, r);
    return b.toString();
  }

  /**
   * Period and evidence in one line; values from the network are printed as read, one line each.
   */
  static String header(ComplianceReport r) {
    StringBuilder b = new StringBuilder();
    b.append(r.alerts.size()).append(" alert(s)");
    if (r.alerts.size() != r.totalAlerts) {
      b.append(" of ").append(r.totalAlerts).append(" read");
    }
    if (r.duplicateAlerts > 0) {
      b.append(" (").append(r.duplicateAlerts).append(" repeated alertId(s) counted once)");
    }
    b.append(", ")
        .append(r.migrationEvents())
        .append(" migration event(s), ")
        .append(r.agents.size())
        .append(" agent(s)");
    if (r.from != null) {
      b.append(", period ").append(r.from).append(" .. ").append(r.to);
    }
    if (r.window != null) {
      b.append(", window ")
          .append(ComplianceReport.human(r.window))
          .append(" before ")
          .append(r.reference == null ? "(no input)" : r.reference.toString());
    }
    b.append(", ")
        .append(r.controls.size())
        .append(" control(s) with alerts, ")
        .append(r.pairs.size())
        .append(" host pair(s) with alerts");
    return b.toString();
  }

  private static void controls(StringBuilder b, ComplianceReport r) {
    b.append(
        "Controls (PASS: migrations observed, none failed; FAIL: alerts; NOT OBSERVED: no evidence)\n");
    for (ControlVerdict v : r.verdicts) {
      b.append(String.format("  %-12s %s: %s%n", v.state().label(), v.control().id(), summary(v)));
    }
    for (String c : r.unlistedControls()) {
      b.append(
          String.format("  %-12s %s: %d alert(s)%n", "FAIL", oneLine(c), r.controls.get(c).alerts));
    }
  }

  static String summary(ControlVerdict v) {
    String unjudged =
        v.unjudged() == 0
            ? ""
            : "; " + v.unjudged() + " with encryption not judged (verdict unknown)";
    return switch (v.state()) {
      case PASS -> v.migrations() + " migration(s) observed, none failed" + unjudged;
      case NOT_OBSERVED ->
          v.migrations() == 0
              ? "no migration it applies to was observed"
              : v.migrations()
                  + " migration(s) observed, encryption of none judged (verdict unknown)";
      case FAIL ->
          v.alerts()
              + " alert(s), "
              + v.migrations()
              + " migration(s) observed"
              + unjudged
              + "; worst: "
              + v.worstPairs().stream()
                  .map(ReportText::pairCount)
                  .collect(Collectors.joining(", "));
    };
  }

  static String pairCount(PairCount p) {
    return oneLine(p.pair())
        + " ("
        + p.alerts()
        + (p.critical() > 0 ? ", " + p.critical() + " critical" : "")
        + ")";
  }

  private static void observed(StringBuilder b, ComplianceReport r) {
    b.append("\nObserved migrations by protocol and verdict (events, streams, bytes)\n");
    if (r.observed.isEmpty()) {
      b.append("  (none: give migration events, e.g. replay --events FILE, to show what passed)\n");
    }
    r.observed.forEach(
        (protocol, byVerdict) ->
            byVerdict.forEach(
                (verdict, o) ->
                    b.append(
                        String.format(
                            "  %-14s %-11s %5d %5d %14d%n",
                            oneLine(protocol), verdict.wire(), o.events, o.streams, o.bytes))));
    long encrypted = r.bytesByVerdict.getOrDefault(Verdict.ENCRYPTED, 0L);
    b.append("  hosts: ")
        .append(r.hosts.size())
        .append(", host pairs: ")
        .append(r.hostPairs.size())
        .append(", bytes: ")
        .append(r.totalBytes())
        .append(" (")
        .append(percent(encrypted, r.totalBytes()))
        .append(" encrypted)\n");
  }

  static String percent(long part, long whole) {
    return whole == 0 ? "-" : String.format("%.1f%%", 100.0 * part / whole);
  }

  private static void agents(StringBuilder b, ComplianceReport r) {
    b.append("\nAgents\n");
    if (r.agents.isEmpty()) {
      b.append("  (none)\n");
    }
    for (AgentCoverage a : r.agents) {
      b.append("  ")
          .append(oneLine(a.agent()))
          .append(": ")
          .append(a.alerts())
          .append(" alert(s), ")
          .append(a.events())
          .append(" event(s); ")
          .append(coverage(a))
          .append('\n');
    }
  }

  static String coverage(AgentCoverage a) {
    if (!a.hasHeartbeats()) {
      return "no heartbeat: when it was watching is unknown";
    }
    String s = a.heartbeats() + " heartbeat(s) " + a.firstBeat() + " .. " + a.lastBeat();
    if (a.gaps().isEmpty()) {
      return s + ", no gap";
    }
    return s
        + ", silent "
        + a.gaps().stream()
            .map(g -> g.from() + " .. " + g.to() + " (" + ComplianceReport.human(g.length()) + ")")
            .collect(Collectors.joining(", "));
  }

  private static void drillDown(StringBuilder b, ComplianceReport r) {
    b.append("\nPer control\n");
    if (r.controls.isEmpty()) {
      b.append("  (none)\n");
    }
    r.controls.forEach(
        (c, row) -> {
          b.append("  ")
              .append(oneLine(c))
              .append(": ")
              .append(row.alerts)
              .append(" alert(s), ")
              .append(row.pairs.size())
              .append(" host pair(s)\n");
          b.append("    rules: ").append(counts(row.rules)).append('\n');
          b.append("    severities: ").append(severities(row.severities)).append('\n');
          b.append("    host pairs: ")
              .append(oneLine(String.join(", ", row.pairs.keySet())))
              .append('\n');
        });
    b.append("\nPer host pair (sender -> receiver)\n");
    if (r.pairs.isEmpty()) {
      b.append("  (none)\n");
    }
    r.pairs.forEach(
        (p, row) -> {
          b.append("  ").append(oneLine(p)).append(": ").append(row.alerts).append(" alert(s)\n");
          b.append("    rules: ").append(counts(row.rules)).append('\n');
          b.append("    controls: ")
              .append(row.controls.isEmpty() ? "-" : oneLine(String.join(", ", row.controls)))
              .append('\n');
          row.example.forEach(
              (rule, a) ->
                  b.append("    e.g. ")
                      .append(rule)
                      .append(": ")
                      .append(oneLine(String.valueOf(a.message())))
                      .append('\n'));
        });
  }

  static String counts(Map<?, Integer> m) {
    return m.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  static String severities(Map<Severity, Integer> m) {
    return m.entrySet().stream()
        .map(e -> e.getKey().wire() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }

  /** Control characters (a newline in a network-supplied value) must not forge report lines. */
  static String oneLine(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            cp -> {
              if (Character.isISOControl(cp)) {
                b.append(String.format("\\u%04x", cp));
              } else {
                b.appendCodePoint(cp);
              }
            });
    return b.toString();
  }
}
