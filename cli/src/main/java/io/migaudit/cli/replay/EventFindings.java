package io.migaudit.cli.replay;

import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.Severity;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Replay's findings, one line per migration event (hosts, protocol, streams, bytes, verdict, the
 * rules it broke with counts), worst first; then findings about traffic that is not a migration,
 * one line per rule and host pair. Per-flow alerts are for --verbose and --alerts FILE.
 */
final class EventFindings {
  private EventFindings() {}

  /** Alerts of one event (or, with a null event, of one rule and host pair outside migrations). */
  private static final class Group {
    final MigrationEvent event;
    final List<Alert> alerts = new ArrayList<>();

    Group(MigrationEvent event) {
      this.event = event;
    }

    Severity worst() {
      return alerts.stream()
          .map(Alert::severity)
          .min(Comparator.naturalOrder())
          .orElse(Severity.INFO);
    }

    String rules() {
      Map<String, Integer> byRule = new TreeMap<>();
      alerts.forEach(a -> byRule.merge(a.rule().name(), 1, Integer::sum));
      return byRule.entrySet().stream()
          .map(e -> e.getKey() + " x" + e.getValue())
          .collect(Collectors.joining(", "));
    }
  }

  static void print(PrintWriter out, Map<String, MigrationEvent> events, List<Alert> alerts) {
    Map<String, Group> byEvent = new LinkedHashMap<>();
    Map<String, Group> outside = new TreeMap<>();
    for (Alert a : alerts) {
      MigrationEvent e = a.eventId() == null ? null : events.get(a.eventId());
      Group g =
          e != null
              ? byEvent.computeIfAbsent(e.eventId(), k -> new Group(e))
              : outside.computeIfAbsent(
                  a.rule() + " " + a.src() + " " + a.dst() + ":" + a.dstPort(),
                  k -> new Group(null));
      g.alerts.add(a);
    }
    out.println();
    out.println(
        "Findings by migration event (worst first; per-flow alerts with --verbose or --alerts FILE):");
    List<Group> sorted = new ArrayList<>(byEvent.values());
    sorted.sort(Comparator.comparing(Group::worst).thenComparing(g -> g.event.start()));
    sorted.forEach(g -> out.println("  " + eventLine(g)));
    long clean = events.size() - byEvent.size();
    out.printf("  %d migration event%s with no finding%n", clean, clean == 1 ? "" : "s");
    if (!outside.isEmpty()) {
      out.println();
      out.println("Findings outside migration events:");
      outside.values().forEach(g -> out.println("  " + outsideLine(g)));
    }
  }

  private static String eventLine(Group g) {
    MigrationEvent e = g.event;
    return String.format(
        "%-8s %-10s %s -> %s  %d stream%s  %s  %s  %s  [%s]",
        g.worst().wire(),
        e.protocol(),
        e.src(),
        e.dst(),
        e.streams(),
        e.streams() == 1 ? "" : "s",
        bytes(e.bytes()),
        e.verdict().wire(),
        g.rules(),
        String.join(", ", g.alerts.stream().map(Alert::iface).distinct().toList()));
  }

  private static String outsideLine(Group g) {
    Alert a = g.alerts.get(0);
    return String.format(
        "%-8s %s -> %s:%d  %d flow%s  %s  [%s]",
        g.worst().wire(),
        a.src(),
        a.dst(),
        a.dstPort(),
        g.alerts.size(),
        g.alerts.size() == 1 ? "" : "s",
        a.rule().name(),
        a.iface());
  }

  /** 950 B, 12.3 KB, 4.5 MB, 1.2 GB (powers of 1000). */
  static String bytes(long n) {
    if (n < 1000) {
      return n + " B";
    }
    String[] units = {"KB", "MB", "GB", "TB"};
    double v = n;
    int i = -1;
    while (v >= 1000 && i < units.length - 1) {
      v /= 1000;
      i++;
    }
    return String.format("%.1f %s", v, units[i]);
  }
}
