package io.migaudit.cli.replay;

import io.migaudit.agent.PipelineCounters;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.analyzer.rules.CopyEvidence;
import io.migaudit.analyzer.rules.MigrationDetector;
import io.migaudit.record.Alert;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.Topics;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Collects what the analyzer judged during a replay and prints the summary users read. */
final class ReplaySummary implements FlowObserver {
  /**
   * Payload one way above which a TCP flow that no migration rule judged gets a note: far less than
   * any VM's memory, far more than an API call. Such a flow is a migration the policy does not let
   * the analyzer recognise (a TLS or SSH tunnel on an unlisted port between hosts it does not
   * trust), or a transfer of something else.
   */
  static final long UNJUDGED_BULK_BYTES = 1 << 20;

  private final Set<String> flows = new HashSet<>();
  private final Map<String, Integer> migrationsByProtocolAndVerdict = new TreeMap<>();
  private final Map<String, Integer> alertsByRule = new TreeMap<>();
  private final List<Alert> alerts = new ArrayList<>();
  private final Map<String, Integer> malformedRecords = new TreeMap<>();
  private final Map<String, MigrationEvent> events = new LinkedHashMap<>();
  private long records;
  private long migrationFlowsCut;
  private long segmentsCut;
  private long unjudgedBulkFlows;

  /** The largest of those flows, for the note. */
  private FlowRecord unjudgedBulk;

  @Override
  public void onRecord(FlowRecord record, boolean migration, String protocol) {
    records++;
    flows.add(record.flowId());
    if (!migration && record.last() && bulkNoRuleJudged(record)) {
      unjudgedBulkFlows++;
      if (unjudgedBulk == null || bulk(record) > bulk(unjudgedBulk)) {
        unjudgedBulk = record;
      }
    }
    if (migration && record.last()) {
      countMigration(record, protocol);
    }
  }

  @Override
  public void onLateMigration(FlowRecord record, String protocol) {
    if (record.last()) {
      countMigration(record, protocol);
    }
  }

  private void countMigration(FlowRecord record, String protocol) {
    migrationsByProtocolAndVerdict.merge(
        protocol + " " + record.payload().verdict().wire(), 1, Integer::sum);
    if (record.stream() != null && record.stream().cutSegments() > 0) {
      migrationFlowsCut++;
      segmentsCut += record.stream().cutSegments();
    }
  }

  /**
   * A final TCP record of a flow that is no migration and carried at least {@link
   * #UNJUDGED_BULK_BYTES} one way (8 times what came back); NFC (TCP 902) has its own rule.
   */
  static boolean bulkNoRuleJudged(FlowRecord r) {
    if (!"tcp".equals(r.transport()) || r.dstPort() == MigrationDetector.NFC_TCP_PORT) {
      return false;
    }
    long sent = payload(r.srcToDst());
    long back = payload(r.dstToSrc());
    long most = Math.max(sent, back);
    return most >= UNJUDGED_BULK_BYTES && CopyEvidence.oneWay(most, Math.min(sent, back));
  }

  private static long bulk(FlowRecord r) {
    return Math.max(payload(r.srcToDst()), payload(r.dstToSrc()));
  }

  private static long payload(Counters c) {
    return c == null ? 0 : c.payloadBytes();
  }

  @Override
  public void onAlert(Alert alert) {
    alerts.add(alert);
    alertsByRule.merge(alert.rule().name() + " " + alert.severity().wire(), 1, Integer::sum);
  }

  @Override
  public void onMigrationEvent(MigrationEvent event) {
    events.put(event.eventId(), event);
  }

  @Override
  public void onMalformed(String kind) {
    malformedRecords.merge(kind, 1, Integer::sum);
  }

  List<Alert> alerts() {
    return alerts;
  }

  void print(PrintWriter out, int files, PipelineCounters counters, List<String> truncations) {
    print(out, files, counters, truncations, false);
  }

  /** The summary; {@code verbose} adds one line per alert. */
  void print(
      PrintWriter out,
      int files,
      PipelineCounters counters,
      List<String> truncations,
      boolean verbose) {
    out.printf(
        "Read %d capture file%s: %d packets (%d not IP, %d malformed and skipped)%n",
        files, files == 1 ? "" : "s", counters.packets(), counters.notIp(), counters.malformed());
    for (String t : truncations) {
      out.println("  warning: " + t);
    }
    if (counters.macsecEncrypted() > 0) {
      out.printf(
          "  note: %d MACsec frame%s encrypted (IEEE 802.1AE): what %s carried cannot be judged;"
              + " capture where the migration network is in clear, or audit the link's MACsec"
              + " policy%n",
          counters.macsecEncrypted(),
          counters.macsecEncrypted() == 1 ? " was" : "s were",
          counters.macsecEncrypted() == 1 ? "it" : "they");
    }
    if (counters.roceBadIcrc() > 0) {
      out.printf(
          "  warning: %d RoCEv2 packet%s a wrong invariant CRC: a NIC drops such packets, so they"
              + " were skipped (corrupt on the link, or forged onto it)%n",
          counters.roceBadIcrc(), counters.roceBadIcrc() == 1 ? " had" : "s had");
    }
    if (counters.tcpFragments() > 0) {
      out.printf(
          "  warning: %d IPv4 fragments of TCP (a migration path should not fragment)%n",
          counters.tcpFragments());
    }
    if (counters.tunnelFragments() > 0) {
      out.printf(
          "  warning: %d tunnel packet%s came in IP fragments: the underlay's MTU is smaller than"
              + " the tunnel needs%n",
          counters.tunnelFragments(), counters.tunnelFragments() == 1 ? "" : "s");
    }
    printReassembly(out, counters);
    out.printf("Flows: %d (%d flow records through %s)%n", flows.size(), records, Topics.FLOWS);
    if (!malformedRecords.isEmpty()) {
      out.println("  skipped malformed Kafka records: " + malformedRecords);
    }
    if (unjudgedBulkFlows > 0) {
      FlowRecord r = unjudgedBulk;
      out.printf(
          "  note: %d TCP flow%s carried at least %s one way but %s not judged as a migration: no"
              + " catalog port, no migration signature, not between two trusted hosts (the"
              + " largest: %s:%d -> %s:%d, %s). If %s, trust both hosts in the policy or add the"
              + " port to its ports.%n",
          unjudgedBulkFlows,
          unjudgedBulkFlows == 1 ? "" : "s",
          EventFindings.bytes(UNJUDGED_BULK_BYTES),
          unjudgedBulkFlows == 1 ? "was" : "were",
          bracketed(r.src()),
          r.srcPort(),
          bracketed(r.dst()),
          r.dstPort(),
          EventFindings.bytes(bulk(r)),
          unjudgedBulkFlows == 1 ? "it is a migration" : "they are migrations");
    }
    if (migrationFlowsCut > 0) {
      printCut(out, counters.snappedPackets() > 0, counters.tunnelPacketsCut() > 0);
    }
    out.println();
    out.println("Migration flows by protocol and verdict:");
    if (migrationsByProtocolAndVerdict.isEmpty()) {
      out.println("  (none)");
    }
    migrationsByProtocolAndVerdict.forEach(
        (k, n) -> {
          String[] pv = k.split(" ");
          out.printf("  %-14s %-11s %5d%n", pv[0], pv[1], n);
        });
    printEvents(out);
    out.println();
    out.println("Alerts by rule:");
    if (alertsByRule.isEmpty()) {
      out.println("  (none)");
    }
    alertsByRule.forEach(
        (k, n) -> {
          String[] rs = k.split(" ");
          out.printf("  %-26s %-9s %5d%n", rs[0], rs[1], n);
        });
    EventFindings.print(out, events, alerts);
    if (verbose && !alerts.isEmpty()) {
      out.println();
      out.println("Alerts:");
      alerts.stream()
          .sorted(
              (a, b) ->
                  a.iface().equals(b.iface())
                      ? a.firstSeen().compareTo(b.firstSeen())
                      : a.iface().compareTo(b.iface()))
          .forEach(a -> out.println("  " + line(a)));
    }
  }

  /**
   * What became of the packets that came in IP fragments: put back together, or, where their pieces
   * disagree or never all came, judged piece by piece.
   */
  private static void printReassembly(PrintWriter out, PipelineCounters counters) {
    long whole = counters.reassembled();
    if (whole > 0) {
      out.printf(
          "  note: %d packet%s that came in IP fragments %s put back together and judged whole%n",
          whole, whole == 1 ? "" : "s", whole == 1 ? "was" : "were");
    }
    long conflicts = counters.reassemblyConflicts();
    if (conflicts > 0) {
      out.printf(
          "  warning: %d fragmented packet%s had pieces that disagree (overlapping with other"
              + " bytes, longer than 65,535 bytes, or too many pieces): receivers differ on what"
              + " such a packet holds, a way to show a sensor other bytes than the host gets;"
              + " each piece was judged as it came (the first: %s)%n",
          conflicts, conflicts == 1 ? "" : "s", counters.firstReassemblyConflict());
    }
    long incomplete = counters.reassemblyIncomplete();
    if (incomplete > 0) {
      out.printf(
          "  warning: %d fragmented packet%s never got all %s pieces (within 30 s, or before the"
              + " capture ended): each piece was judged as it came%n",
          incomplete, incomplete == 1 ? "" : "s", incomplete == 1 ? "its" : "their");
    }
  }

  /**
   * The segments of migration flows cut short, and by what: the capture's snap length, a tunnel's
   * IP fragments that could not be put back together (only the first is read), or either when the
   * capture has both.
   */
  private void printCut(PrintWriter out, boolean snapped, boolean fragmented) {
    String by =
        !fragmented
            ? "at its snap length"
            : snapped
                ? "at its snap length or in a tunnel's IP fragments"
                : "in a tunnel's IP fragments";
    String fix =
        !fragmented
            ? "capture whole packets (tcpdump -s 0, no mirrored packet length)"
            : snapped
                ? "capture whole packets (tcpdump -s 0, no mirrored packet length) and give the"
                    + " tunnel's underlay the MTU it needs"
                : "give the tunnel's underlay the MTU it needs";
    out.printf(
        "  warning: the capture cut %d segments of %d migration flow%s %s: framing and byte"
            + " statistics see only part of each, so some verdicts are unknown; %s%n",
        segmentsCut, migrationFlowsCut, migrationFlowsCut == 1 ? "" : "s", by, fix);
  }

  /** Events by protocol and worst verdict, with their streams, from each event's latest state. */
  private void printEvents(PrintWriter out) {
    Map<String, int[]> byKey = new TreeMap<>();
    events
        .values()
        .forEach(
            e -> {
              int[] n =
                  byKey.computeIfAbsent(e.protocol() + " " + e.verdict().wire(), k -> new int[2]);
              n[0]++;
              n[1] += e.streams();
            });
    out.println();
    out.println("Migration events by protocol and verdict (events, streams):");
    if (byKey.isEmpty()) {
      out.println("  (none)");
    }
    byKey.forEach(
        (k, n) -> {
          String[] pv = k.split(" ");
          out.printf("  %-14s %-11s %5d %5d%n", pv[0], pv[1], n[0], n[1]);
        });
  }

  static String line(Alert a) {
    return String.format(
        "%-8s %-24s %s:%d -> %s:%d%s  %s  [%s]",
        a.severity().wire(),
        a.rule().name(),
        bracketed(a.src()),
        a.srcPort(),
        bracketed(a.dst()),
        a.dstPort(),
        a.vlan() == null ? "" : " vlan " + a.vlan(),
        a.message(),
        a.iface());
  }

  private static String bracketed(String address) {
    return address.indexOf(':') >= 0 ? "[" + address + "]" : address;
  }
}
