package io.migaudit.analyzer.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link OpenEventCodec}: the stored form of open events, and the form stored before it. */
class OpenEventCodecTest {
  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

  @Test
  void aStreamKeepsThePayloadOfEachDirection() {
    OpenEvent e =
        new OpenEvent("id-1", "qemu", "10.0.0.2", "10.0.0.1", "agent-a", T0, T0.plusSeconds(2));
    e.streams.put("f1", new OpenEvent.Stream(5000, Verdict.PLAINTEXT, true, 100, 1 << 20));
    e.omittedStreams = 3;
    OpenEvent back = OpenEventCodec.decode(OpenEventCodec.encode(List.of(e))).get(0);
    assertThat(back.streams)
        .containsEntry("f1", new OpenEvent.Stream(5000, Verdict.PLAINTEXT, true, 100, 1 << 20));
    assertThat(back.omittedStreams).isEqualTo(3);
    assertThat(back.snapshot().src()).as("the memory flows from dst").isEqualTo("10.0.0.1");
  }

  @Test
  void aStreamStoredWithoutItsDirectionsReadsAsNoPayloadEitherWay() {
    String stored =
        "[{\"id\":\"id-1\",\"family\":\"qemu\",\"src\":\"10.0.0.2\",\"dst\":\"10.0.0.1\","
            + "\"agent\":null,\"start\":\"2026-12-05T10:00:00Z\",\"end\":\"2026-12-05T10:00:02Z\","
            + "\"reportedEnd\":false,\"touched\":7,\"omitted\":0,"
            + "\"streams\":{\"f1\":[5000,\"plaintext\",false]}}]";
    OpenEvent e = OpenEventCodec.decode(stored.getBytes(StandardCharsets.UTF_8)).get(0);
    assertThat(e.streams)
        .containsEntry("f1", new OpenEvent.Stream(5000, Verdict.PLAINTEXT, false, 0, 0));
    assertThat(e.agent).isNull();
    assertThat(e.snapshot().src()).isEqualTo("10.0.0.2");
  }
}
