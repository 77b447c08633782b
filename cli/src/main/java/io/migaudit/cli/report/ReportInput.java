package io.migaudit.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migaudit.analyzer.consume.RecordKeys;
import io.migaudit.cli.common.UserError;
import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RecordJson.MalformedRecordException;
import io.migaudit.record.RecordKey;
import io.migaudit.record.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a report reads: alerts (de-duplicated by alertId, the first kept), migration events (the
 * latest state of each eventId: the last one read) and agents' heartbeats, from JSON lines of any
 * mix (replay's --alerts, --events and --flows files, the analyzer's) or Kafka records. Flow
 * records are counted and otherwise ignored; anything else is counted as malformed, the first one
 * named.
 */
final class ReportInput {
  private static final ObjectMapper TREES = new ObjectMapper();
  private static final byte[] HEARTBEAT_MARK =
      ("\"kind\":\"" + AgentHeartbeat.KIND + "\"").getBytes(StandardCharsets.UTF_8);

  final Map<String, Alert> alerts = new LinkedHashMap<>();
  final Map<String, MigrationEvent> events = new LinkedHashMap<>();
  final List<AgentHeartbeat> heartbeats = new ArrayList<>();
  int duplicateAlerts;
  int flowRecords;
  int read;
  int malformed;
  String firstMalformed;

  /** The agents' record keys heartbeats must be signed with, or null: any heartbeat counts. */
  private final RecordKeys keys;

  /** The analyzers' record key alerts and events must be signed with, or null: any counts. */
  private final RecordKey analyzerKey;

  /** The signature of the value being added ({@link #addFlowTopicRecord}), or null. */
  private byte[] signature;

  /** Whether the value being added carries the analyzers' signature ({@link #addSigned}). */
  private boolean signedByAnalyzer = true;

  ReportInput() {
    this(null, null);
  }

  /**
   * Input whose heartbeats count only when signed with their agent's key in {@code keys}, and whose
   * alerts and migration events only when signed with {@code analyzerKey} (each null: any).
   */
  ReportInput(RecordKeys keys, RecordKey analyzerKey) {
    this.keys = keys;
    this.analyzerKey = analyzerKey;
  }

  /**
   * A record of the alerts or migrations topic with its record signature ({@code migaudit-hmac}
   * header) or null: with an analyzer key, its alert or event counts only when signed with it.
   */
  void addSigned(byte[] bytes, String where, byte[] mac) {
    signedByAnalyzer = analyzerKey == null || analyzerKey.verifies(bytes, mac);
    try {
      add(bytes, where);
    } finally {
      signedByAnalyzer = true;
    }
  }

  private static final byte[] ALERT_MARK = mark("alertId");
  private static final byte[] EVENT_MARK = mark("eventId");
  private static final byte[] STREAMS_MARK = mark("streams");
  private static final byte[] FLOW_MARK = mark("flowId");

  private static byte[] mark(String field) {
    return ("\"" + field + "\":").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * One line or Kafka record; {@code where} names it in the malformed message. Compact JSON (what
   * migaudit writes) is told by its field names and parsed once; anything else is parsed as a tree
   * first, to say what it is.
   */
  void add(byte[] bytes, String where) {
    try {
      if (indexOf(bytes, ALERT_MARK) >= 0) {
        read++;
        addAlert(RecordJson.alert(bytes), where);
        return;
      }
      if (indexOf(bytes, EVENT_MARK) >= 0 && indexOf(bytes, STREAMS_MARK) >= 0) {
        read++;
        addEvent(RecordJson.migrationEvent(bytes), where);
        return;
      }
    } catch (MalformedRecordException e) {
      malformedLine(where, e.getMessage());
      return;
    }
    addParsed(bytes, where);
  }

  private void addAlert(Alert a, String where) {
    String missing = a.alertId() == null ? "alertId" : a.detectedAt() == null ? "detectedAt" : null;
    if (missing == null && !signedByAnalyzer) {
      missing = "the analyzers' signature";
    }
    if (missing != null) {
      malformedLine(where, "an alert without " + missing);
      return;
    }
    if (alerts.putIfAbsent(a.alertId(), a) != null) {
      duplicateAlerts++;
    }
  }

  /**
   * Keeps {@code e} when it has what the report reads of an event: a migration event on the topic
   * may have been written by anyone who may write there, and one without addresses stopped the
   * report.
   */
  private void addEvent(MigrationEvent e, String where) {
    String missing = signedByAnalyzer ? missing(e) : "the analyzers' signature";
    if (missing != null) {
      malformedLine(where, "a migration event without " + missing);
      return;
    }
    events.remove(e.eventId()); // keeps read order of latest states
    events.put(e.eventId(), e);
  }

  private static String missing(MigrationEvent e) {
    if (e.eventId() == null) {
      return "eventId";
    }
    if (e.protocol() == null) {
      return "protocol";
    }
    if (e.src() == null || e.dst() == null) {
      return e.src() == null ? "src" : "dst";
    }
    return e.start() == null ? "start" : e.end() == null ? "end" : null;
  }

  private void addParsed(byte[] bytes, String where) {
    read++;
    JsonNode tree = tree(bytes, where);
    if (tree == null) {
      return;
    }
    try {
      classify(tree, bytes, where);
    } catch (MalformedRecordException e) {
      malformedLine(where, e.getMessage());
    }
  }

  /** {@code bytes} as a JSON object, or null (counted as malformed). */
  private JsonNode tree(byte[] bytes, String where) {
    JsonNode tree;
    try {
      tree = TREES.readTree(bytes);
    } catch (IOException e) {
      malformedLine(where, "not JSON: " + firstLine(e.getMessage()));
      return null;
    }
    if (tree == null || !tree.isObject()) {
      malformedLine(where, "not a JSON object");
      return null;
    }
    return tree;
  }

  private void classify(JsonNode tree, byte[] bytes, String where) throws MalformedRecordException {
    if (tree.has("alertId")) {
      addAlert(RecordJson.alert(bytes), where);
    } else if (tree.has("eventId") && tree.has("streams")) {
      addEvent(RecordJson.migrationEvent(bytes), where);
    } else if (AgentHeartbeat.KIND.equals(tree.path("kind").asText(null))) {
      addHeartbeat(RecordJson.heartbeat(bytes), bytes, where);
    } else if (tree.has("flowId")) {
      flowRecords++;
    } else {
      malformedLine(where, "not an alert, migration event, heartbeat or flow record");
    }
  }

  /** A record of the flows topic: only heartbeats are read, flow records counted unparsed. */
  void addFlowTopicRecord(byte[] bytes, String where) {
    addFlowTopicRecord(bytes, where, null);
  }

  /**
   * As {@link #addFlowTopicRecord(byte[], String)}, with the value's record signature (its {@code
   * migaudit-hmac} header), or null.
   */
  void addFlowTopicRecord(byte[] bytes, String where, byte[] mac) {
    signature = mac;
    try {
      addFlowTopicValue(bytes, where);
    } finally {
      signature = null;
    }
  }

  /**
   * A heartbeat counts when no record keys were given, or when it carries the signature of the key
   * of the agent it names: a heartbeat forged onto the topic must not hide an agent's silence.
   */
  private void addHeartbeat(AgentHeartbeat h, byte[] bytes, String where) {
    RecordKeys.Refusal refusal = keys == null ? null : keys.refusal(h.agent(), bytes, signature);
    if (refusal != null) {
      malformedLine(where, "heartbeat skipped (" + refusal.outcome() + "): " + refusal.why());
      return;
    }
    heartbeats.add(h);
  }

  /**
   * Only heartbeats and flow records belong on the flows topic: an alert or a migration event
   * written there (agents may write to it) is malformed, not evidence.
   */
  private void addFlowTopicValue(byte[] bytes, String where) {
    read++;
    if (indexOf(bytes, HEARTBEAT_MARK) < 0 && indexOf(bytes, FLOW_MARK) >= 0) {
      flowRecords++;
      return;
    }
    JsonNode tree = tree(bytes, where);
    if (tree == null) {
      return;
    }
    if (AgentHeartbeat.KIND.equals(tree.path("kind").asText(null))) {
      try {
        addHeartbeat(RecordJson.heartbeat(bytes), bytes, where);
      } catch (MalformedRecordException e) {
        malformedLine(where, e.getMessage());
      }
    } else if (tree.has("flowId") && !tree.has("alertId") && !tree.has("eventId")) {
      flowRecords++;
    } else {
      malformedLine(where, "not a flow record or heartbeat, on " + Topics.FLOWS);
    }
  }

  private void malformedLine(String where, String why) {
    if (malformed++ == 0) {
      firstMalformed = where + ": " + why;
    }
  }

  List<Alert> alerts() {
    return List.copyOf(alerts.values());
  }

  static ReportInput readFiles(List<Path> paths) throws UserError {
    ReportInput in = new ReportInput();
    for (Path p : paths) {
      if (!Files.isRegularFile(p)) {
        throw new UserError(p + ": no such file");
      }
      try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
          n++;
          if (!line.isBlank()) {
            in.add(line.getBytes(StandardCharsets.UTF_8), p + ":" + n);
          }
        }
      } catch (NoSuchFileException e) {
        throw new UserError(p + ": no such file", e);
      } catch (IOException e) {
        throw new UserError(p + ": cannot read: " + e.getMessage(), e);
      }
    }
    return in;
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return s == null ? "" : nl < 0 ? s : s.substring(0, nl);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
