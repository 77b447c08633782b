package io.migaudit.cli.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.Counters;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictTimelineTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static FlowRecord record(
      int seq, long payloadBytes, long micros, Verdict v, boolean last) {
    return new FlowRecord(
        SchemaVersion.CURRENT,
        "a",
        "i",
        "f",
        seq,
        last,
        last ? "fin" : null,
        T0,
        T0.plusNanos(micros * 1000),
        null,
        null,
        List.of(),
        4,
        "tcp",
        "10.0.0.1",
        40000,
        "10.0.0.2",
        8000,
        "syn",
        new Counters(seq, payloadBytes, payloadBytes),
        Counters.ZERO,
        List.of(),
        "vmotion",
        new PayloadFeatures(payloadBytes, 0, 0, 0, 0, Signature.NONE, v, "r"));
  }

  @Test
  void verdictSettlesAtTheFirstRecordOfTheFinalRun() {
    VerdictTimeline t =
        VerdictTimeline.of(
            List.of(
                record(0, 100, 10, Verdict.UNKNOWN, false),
                record(1, 2000, 20, Verdict.ENCRYPTED, false),
                record(2, 3000, 30, Verdict.PLAINTEXT, false),
                record(3, 9000, 40, Verdict.PLAINTEXT, false),
                record(4, 9500, 1500, Verdict.PLAINTEXT, true)));
    assertThat(t.payloadBytesToVerdict()).isEqualTo(3000);
    assertThat(t.millisToVerdict()).isEqualTo(0.030);
    assertThat(t.last().seq()).isEqualTo(4);
  }

  @Test
  void singleRecordSettlesAtItself() {
    VerdictTimeline t = VerdictTimeline.of(List.of(record(0, 500, 2000, Verdict.UNKNOWN, true)));
    assertThat(t.payloadBytesToVerdict()).isEqualTo(500);
    assertThat(t.millisToVerdict()).isEqualTo(2.0);
  }
}
