package io.migaudit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A sample directory's {@code expect.yaml}: the migration flows (protocol and verdict of their final
 * record) and exactly the alerts (rule and severity) its capture must produce.
 */
record SampleExpectation(String name, Map<String, Integer> migrationFlows, Map<String, Integer> alerts) {
  static final Path SAMPLES = Path.of("..", "samples");

  static SampleExpectation read(Path dir) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(dir.resolve("expect.yaml").toFile());
    return new SampleExpectation(dir.getFileName().toString(),
        counts(root.path("migrationFlows"), "protocol", "verdict"), counts(root.path("alerts"), "rule", "severity"));
  }

  static Stream<Path> directories() throws IOException {
    return Files.list(SAMPLES).filter(Files::isDirectory).sorted();
  }

  private static Map<String, Integer> counts(JsonNode list, String first, String second) {
    Map<String, Integer> m = new TreeMap<>();
    for (JsonNode n : list) {
      m.merge(n.get(first).asText() + " " + n.get(second).asText(), n.path("count").asInt(1), Integer::sum);
    }
    return m;
  }
}
