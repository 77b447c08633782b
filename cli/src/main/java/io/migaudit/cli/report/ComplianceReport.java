package io.migaudit.cli.report;

import io.migaudit.analyzer.rules.ControlCatalog;
import io.migaudit.analyzer.rules.ControlCatalog.Control;
import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.Severity;
import io.migaudit.record.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Compliance evidence from alerts, migration events and agents' heartbeats: a verdict per control
 * (PASS, FAIL, NOT OBSERVED), the migrations observed, the period and the agents' coverage, and
 * alerts per control and per host pair for the drill-down. Deterministic: the same input gives the
 * same report. {@link ReportText} and {@link ReportHtml} render it.
 */
final class ComplianceReport {
  static final String NO_CONTROL = "(no control mapped)";

  /** Host pairs named as the worst of a failing control. */
  static final int WORST_PAIRS = 3;

  /** A control's state over the period. */
  enum State {
    PASS,
    FAIL,
    NOT_OBSERVED;

    String label() {
      return this == NOT_OBSERVED ? "NOT OBSERVED" : name();
    }
  }

  /** Alerts of one host pair for one control: critical ones rank first. */
  record PairCount(String pair, int alerts, int critical) {}

  /**
   * One control's verdict: {@code migrations} observed that it applies to, the alerts that evidence
   * a failure, the host pairs with most (critical first) alerts, and, for a control that asks for
   * encryption, how many of the migrations had no verdict ({@code unknown}: their encryption was
   * not judged, so they are no evidence that it passed).
   */
  record ControlVerdict(
      Control control,
      State state,
      int migrations,
      int alerts,
      List<PairCount> worstPairs,
      int unjudged) {}

  /** Alerts of one control (drill-down). */
  static final class ControlRow {
    int alerts;
    final Map<String, Integer> rules = new TreeMap<>();
    final Map<Severity, Integer> severities = new TreeMap<>();
    final Map<String, int[]> pairs = new TreeMap<>();
  }

  /** Alerts from one sender to one receiver. */
  static final class PairRow {
    int alerts;
    int critical;
    final Map<String, Integer> rules = new TreeMap<>();
    final Set<String> controls = new TreeSet<>();

    /** Per rule, its newest alert (ties: the smallest message): an example. */
    final Map<String, Alert> example = new TreeMap<>();
  }

  /** Migrations of one protocol and verdict. */
  static final class Observed {
    int events;
    int streams;
    long bytes;
  }

  private static final Comparator<Alert> NEWEST_FIRST =
      Comparator.comparing(Alert::detectedAt)
          .reversed()
          .thenComparing(a -> String.valueOf(a.message()));

  final int totalAlerts;
  final int duplicateAlerts;
  final Instant reference;
  final Duration window;
  final List<Alert> alerts;
  final List<MigrationEvent> events;
  final Instant from;
  final Instant to;
  final List<ControlVerdict> verdicts = new ArrayList<>();
  final Map<String, ControlRow> controls = new TreeMap<>();
  final Map<String, PairRow> pairs = new TreeMap<>();

  /** Key: protocol, then verdict. */
  final Map<String, Map<Verdict, Observed>> observed = new TreeMap<>();

  final Set<String> hosts = new TreeSet<>();
  final Set<String> hostPairs = new TreeSet<>();
  final Map<LocalDate, Map<Verdict, Integer>> perDay = new TreeMap<>();
  final Map<Verdict, Long> bytesByVerdict = new EnumMap<>(Verdict.class);
  final List<AgentCoverage> agents;

  private ComplianceReport(ReportInput in, Duration window, Instant reference, Filtered f) {
    this.totalAlerts = in.alerts.size();
    this.duplicateAlerts = in.duplicateAlerts;
    this.window = window;
    this.reference = reference;
    this.alerts = f.alerts;
    this.events = f.events;
    List<Instant> times =
        Stream.of(
                f.alerts.stream().map(Alert::detectedAt),
                f.events.stream().flatMap(e -> Stream.of(e.start(), e.end())),
                f.heartbeats.stream().map(AgentHeartbeat::at))
            .flatMap(s -> s)
            .filter(Objects::nonNull)
            .toList();
    this.from = times.stream().min(Comparator.naturalOrder()).orElse(null);
    this.to = times.stream().max(Comparator.naturalOrder()).orElse(null);
    f.alerts.forEach(this::addAlert);
    f.events.forEach(this::addEvent);
    ControlCatalog.controls().forEach(c -> verdicts.add(verdict(c)));
    this.agents = AgentCoverage.of(f.alerts, f.events, f.heartbeats, from, to);
  }

  /** What falls inside the window. */
  private record Filtered(
      List<Alert> alerts, List<MigrationEvent> events, List<AgentHeartbeat> heartbeats) {}

  /**
   * The report over {@code in}; with a window, only what happened at or after {@code reference -
   * window} (reference: the given instant, else the newest time in the input) and not after it.
   */
  static ComplianceReport of(ReportInput in, Duration window, Instant reference) {
    List<Alert> alerts = in.alerts.values().stream().filter(a -> a.detectedAt() != null).toList();
    List<MigrationEvent> events =
        in.events.values().stream()
            .filter(e -> e.start() != null && e.end() != null && e.protocol() != null)
            .toList();
    List<AgentHeartbeat> beats = in.heartbeats;
    Instant ref = reference;
    if (ref == null && window != null) {
      ref =
          Stream.of(
                  alerts.stream().map(Alert::detectedAt),
                  events.stream().map(MigrationEvent::end),
                  beats.stream().map(AgentHeartbeat::at))
              .flatMap(s -> s)
              .max(Comparator.naturalOrder())
              .orElse(null);
    }
    if (window != null && ref != null) {
      Instant cutoff = since(ref, window);
      Instant end = ref;
      Predicate<Instant> inside = t -> !t.isBefore(cutoff) && !t.isAfter(end);
      alerts = alerts.stream().filter(a -> inside.test(a.detectedAt())).toList();
      events = events.stream().filter(e -> inside.test(e.end())).toList();
      beats = beats.stream().filter(h -> inside.test(h.at())).toList();
    }
    return new ComplianceReport(
        in, window, window == null ? null : ref, new Filtered(alerts, events, beats));
  }

  /** {@code window} before {@code ref}, or the first instant there is when that lies before it. */
  static Instant since(Instant ref, Duration window) {
    Duration room = Duration.between(Instant.MIN, ref);
    return window.compareTo(room) >= 0 ? Instant.MIN : ref.minus(window);
  }

  private void addAlert(Alert a) {
    String pair = pair(a.src(), a.dst());
    String rule = String.valueOf(a.rule());
    boolean critical = a.severity() == Severity.CRITICAL;
    List<String> cs = a.controls().isEmpty() ? List.of(NO_CONTROL) : a.controls();
    for (String c : new TreeSet<>(cs)) {
      ControlRow row = controls.computeIfAbsent(c, k -> new ControlRow());
      row.alerts++;
      row.rules.merge(rule, 1, Integer::sum);
      if (a.severity() != null) {
        row.severities.merge(a.severity(), 1, Integer::sum);
      }
      int[] n = row.pairs.computeIfAbsent(pair, k -> new int[2]);
      n[0]++;
      n[1] += critical ? 1 : 0;
    }
    PairRow p = pairs.computeIfAbsent(pair, k -> new PairRow());
    p.alerts++;
    p.critical += critical ? 1 : 0;
    p.rules.merge(rule, 1, Integer::sum);
    p.controls.addAll(a.controls());
    p.example.merge(rule, a, (x, y) -> NEWEST_FIRST.compare(x, y) <= 0 ? x : y);
  }

  private void addEvent(MigrationEvent e) {
    Verdict v = e.verdict() == null ? Verdict.UNKNOWN : e.verdict();
    Observed o =
        observed
            .computeIfAbsent(e.protocol(), k -> new EnumMap<>(Verdict.class))
            .computeIfAbsent(v, k -> new Observed());
    o.events++;
    o.streams += e.streams();
    o.bytes += e.bytes();
    hosts.add(e.src());
    hosts.add(e.dst());
    hostPairs.add(pair(e.src(), e.dst()));
    perDay
        .computeIfAbsent(
            LocalDate.ofInstant(e.start(), ZoneOffset.UTC), k -> new EnumMap<>(Verdict.class))
        .merge(v, 1, Integer::sum);
    bytesByVerdict.merge(v, e.bytes(), Long::sum);
  }

  private ControlVerdict verdict(Control c) {
    int migrations = (int) events.stream().filter(e -> c.appliesTo(e.protocol())).count();
    int unjudged =
        c.judgesEncryption()
            ? (int)
                events.stream()
                    .filter(e -> c.appliesTo(e.protocol()))
                    .filter(e -> e.verdict() == null || e.verdict() == Verdict.UNKNOWN)
                    .count()
            : 0;
    ControlRow row = controls.get(c.id());
    if (row == null) {
      return new ControlVerdict(
          c,
          migrations > unjudged ? State.PASS : State.NOT_OBSERVED,
          migrations,
          0,
          List.of(),
          unjudged);
    }
    List<PairCount> worst =
        row.pairs.entrySet().stream()
            .map(e -> new PairCount(e.getKey(), e.getValue()[0], e.getValue()[1]))
            .sorted(
                Comparator.comparingInt(PairCount::critical)
                    .reversed()
                    .thenComparing(Comparator.comparingInt(PairCount::alerts).reversed())
                    .thenComparing(PairCount::pair))
            .limit(WORST_PAIRS)
            .toList();
    return new ControlVerdict(c, State.FAIL, migrations, row.alerts, worst, unjudged);
  }

  /** Controls named by alerts that the catalog does not list (written by another version). */
  List<String> unlistedControls() {
    Set<String> listed = new TreeSet<>();
    verdicts.forEach(v -> listed.add(v.control().id()));
    return controls.keySet().stream().filter(c -> !listed.contains(c)).toList();
  }

  long migrationEvents() {
    return events.size();
  }

  long totalBytes() {
    return bytesByVerdict.values().stream().mapToLong(Long::longValue).sum();
  }

  static String pair(String src, String dst) {
    return src + " -> " + dst;
  }

  /** 90m, 24h, 7d: the way --since is written. */
  static String human(Duration d) {
    long s = d.getSeconds();
    if (s % 86400 == 0 && s >= 86400 * 2) {
      return s / 86400 + "d";
    }
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
