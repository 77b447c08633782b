package io.migaudit.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RuleId;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Severity;
import io.migaudit.record.Verdict;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Replay's findings: one line per migration event, worst first, rules with counts. */
class EventFindingsTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static MigrationEvent event(
      String id, String src, Verdict v, int streams, Instant start) {
    return new MigrationEvent(
        SchemaVersion.CURRENT,
        id,
        "vmotion",
        src,
        "10.0.0.2",
        "replay",
        start,
        start.plusSeconds(5),
        2_500_000,
        streams,
        500_000,
        v,
        true,
        List.of());
  }

  private static Alert alert(String id, RuleId rule, Severity s, String src, String eventId) {
    return new Alert(
        SchemaVersion.CURRENT,
        id,
        rule,
        s,
        "vmotion",
        src,
        41000,
        "10.0.0.2",
        8000,
        50,
        "replay",
        "cap.pcap",
        "f" + id,
        T0,
        T0,
        "required",
        Map.of(),
        "message of " + id,
        List.of(),
        eventId);
  }

  @Test
  void oneLinePerEventWorstFirstWithRuleCounts() {
    Map<String, MigrationEvent> events = new LinkedHashMap<>();
    events.put("e1", event("e1", "10.0.0.1", Verdict.ENCRYPTED, 1, T0));
    events.put("e2", event("e2", "10.0.0.3", Verdict.PLAINTEXT, 4, T0.plusSeconds(60)));
    events.put("e3", event("e3", "10.0.0.4", Verdict.ENCRYPTED, 1, T0));
    List<Alert> alerts =
        List.of(
            alert("a1", RuleId.NON_DEDICATED_SEGMENT, Severity.WARNING, "10.0.0.1", "e1"),
            alert("a2", RuleId.UNENCRYPTED_MIGRATION, Severity.CRITICAL, "10.0.0.3", "e2"),
            alert("a3", RuleId.UNENCRYPTED_MIGRATION, Severity.CRITICAL, "10.0.0.3", "e2"),
            alert("a4", RuleId.UNTRUSTED_SOURCE, Severity.CRITICAL, "10.0.0.3", "e2"),
            alert("a5", RuleId.SHARED_MIGRATION_SEGMENT, Severity.WARNING, "10.0.0.7", null));
    StringWriter out = new StringWriter();
    EventFindings.print(new PrintWriter(out, true), events, alerts);
    List<String> lines = out.toString().lines().toList();
    assertThat(lines)
        .containsSubsequence(
            "  critical vmotion    10.0.0.3 -> 10.0.0.2  4 streams  2.5 MB  plaintext  UNENCRYPTED_MIGRATION x2,"
                + " UNTRUSTED_SOURCE x1  [cap.pcap]",
            "  warning  vmotion    10.0.0.1 -> 10.0.0.2  1 stream  2.5 MB  encrypted  NON_DEDICATED_SEGMENT x1  [cap.pcap]",
            "  1 migration event with no finding",
            "Findings outside migration events:",
            "  warning  10.0.0.7 -> 10.0.0.2:8000  1 flow  SHARED_MIGRATION_SEGMENT  [cap.pcap]");
    assertThat(out.toString()).doesNotContain("message of");
  }
}
