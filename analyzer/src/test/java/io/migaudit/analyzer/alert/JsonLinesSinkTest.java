package io.migaudit.analyzer.alert;

import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.rules.Flows;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Verdict;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSinkTest {
  @TempDir Path dir;

  static List<Alert> alerts() {
    RuleEngine engine = new RuleEngine(Flows.samplePolicy());
    return engine
        .evaluate(flow("10.1.1.1", "10.1.1.2", 8000).verdict(Verdict.PLAINTEXT, "zeros").build())
        .alerts();
  }

  /**
   * The alert as any reader sees it: evidence numbers come back as JSON gives them (4096 is an
   * int).
   */
  static Alert asRead(Alert a) throws Exception {
    return RecordJson.alert(RecordJson.toBytes(a));
  }

  static List<Alert> asRead(List<Alert> alerts) throws Exception {
    List<Alert> out = new ArrayList<>();
    for (Alert a : alerts) {
      out.add(asRead(a));
    }
    return out;
  }

  private static List<Alert> read(Path file) throws Exception {
    List<Alert> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      out.add(RecordJson.alert(line.getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Test
  void writesOneJsonObjectPerLineAndFlushesToTheFile() throws Exception {
    List<Alert> alerts = alerts();
    Path file = dir.resolve("alerts.jsonl");
    try (JsonLinesSink<Alert> w = AlertFormat.MIGAUDIT.create(file)) {
      w.write(alerts);
      w.flush();
      assertThat(read(file)).isEqualTo(asRead(alerts));
    }
    assertThat(alerts).hasSize(4);
  }

  @Test
  void createEmptiesAnExistingFile() throws Exception {
    Path file = dir.resolve("alerts.jsonl");
    Files.writeString(file, "old line\nanother\n");
    try (JsonLinesSink<Alert> w = AlertFormat.MIGAUDIT.create(file)) {
      w.write(alerts().subList(0, 1));
    }
    assertThat(read(file)).hasSize(1);
  }

  @Test
  void appendKeepsEarlierAlerts() throws Exception {
    Path file = dir.resolve("alerts.jsonl");
    try (JsonLinesSink<Alert> w = AlertFormat.MIGAUDIT.create(file)) {
      w.write(alerts().subList(0, 1));
    }
    try (JsonLinesSink<Alert> w = AlertFormat.MIGAUDIT.append(file)) {
      w.write(alerts().subList(1, 3));
    }
    assertThat(read(file)).isEqualTo(asRead(alerts().subList(0, 3)));
  }

  @Test
  void appendCutsALineTheWriterDidNotFinishSoTheNextLineStandsAlone() throws Exception {
    Path file = dir.resolve("alerts.jsonl");
    try (JsonLinesSink<Alert> w = AlertFormat.MIGAUDIT.create(file)) {
      w.write(alerts().subList(0, 1));
    }
    String whole = Files.readString(file);
    // killed mid-write: the second line stops inside its JSON, longer than one read chunk
    Files.writeString(
        file, whole + "{\"alertId\":\"torn\",\"controls\":[\"NIST" + "x".repeat(9000));
    try (JsonLinesSink<Alert> w = AlertFormat.MIGAUDIT.append(file)) {
      w.write(alerts().subList(1, 3));
    }
    assertThat(read(file)).isEqualTo(asRead(alerts().subList(0, 3)));
  }

  @Test
  void appendToAFileOfOneUnfinishedLineStartsItAfresh() throws Exception {
    Path file = dir.resolve("alerts.jsonl");
    Files.writeString(file, "{\"alertId\":\"to");
    try (JsonLinesSink<Alert> w = AlertFormat.MIGAUDIT.append(file)) {
      w.write(alerts().subList(0, 1));
    }
    assertThat(read(file)).isEqualTo(asRead(alerts().subList(0, 1)));
  }

  @Test
  void writesToAnyWriter() {
    StringWriter out = new StringWriter();
    JsonLinesSink<Alert> w = AlertFormat.MIGAUDIT.to(out);
    w.write(alerts());
    w.flush();
    assertThat(out.toString().lines())
        .hasSize(4)
        .allMatch(l -> l.startsWith("{") && l.endsWith("}"));
  }
}
