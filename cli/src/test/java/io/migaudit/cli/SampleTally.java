package io.migaudit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a sample's run gave, counted the way its expect.yaml lists it: migration flows by "protocol
 * verdict" and alerts by "rule severity". Records and alerts (as JSON) name their capture file in
 * {@code interface}; its directory is the sample.
 */
final class SampleTally {
  private SampleTally() {}

  /** The sample directory a flow record or alert came from. */
  static String sampleOf(JsonNode recordOrAlert) {
    return Path.of(recordOrAlert.get("interface").asText()).getParent().getFileName().toString();
  }

  /** The final records of the sample's migration flows, counted by "protocol verdict". */
  static Map<String, Integer> migrationFlows(List<JsonNode> flows, String sample) {
    Map<String, Integer> counted = new TreeMap<>();
    flows.stream()
        .filter(
            f ->
                sampleOf(f).equals(sample)
                    && f.get("last").asBoolean()
                    && !f.get("protocol").isNull())
        .forEach(
            f ->
                counted.merge(
                    f.get("protocol").asText() + " " + f.at("/payload/verdict").asText(),
                    1,
                    Integer::sum));
    return counted;
  }

  /** The sample's alerts, counted by "rule severity". */
  static Map<String, Integer> alerts(List<JsonNode> alerts, String sample) {
    Map<String, Integer> counted = new TreeMap<>();
    alerts.stream()
        .filter(a -> sampleOf(a).equals(sample))
        .forEach(
            a ->
                counted.merge(
                    a.get("rule").asText() + " " + a.get("severity").asText(), 1, Integer::sum));
    return counted;
  }
}
