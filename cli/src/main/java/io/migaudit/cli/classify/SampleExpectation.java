package io.migaudit.cli.classify;

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
 * A sample directory's {@code expect.yaml}: the migration flows (protocol and verdict of their
 * final record) and exactly the alerts (rule and severity) its capture must produce, and optionally
 * the packets the decoders must count as malformed, the MACsec frames they must count as encrypted,
 * the tunnel packets they must count as first IP fragments, the fragmented packets the agent must
 * put back together and those whose pieces disagree, and whether the capture file is cut short,
 * and, when it lists {@code events}, exactly the migration events (protocol, worst verdict,
 * streams); {@code events} is null for samples that do not list them.
 */
public record SampleExpectation(
    String name,
    Map<String, Integer> migrationFlows,
    Map<String, Integer> alerts,
    int malformedPackets,
    int truncatedFiles,
    long macsecEncryptedFrames,
    long tunnelFragments,
    long reassembledPackets,
    long reassemblyConflicts,
    Map<String, Integer> events) {
  /** The samples directory seen from a module's directory, where Maven runs tests. */
  public static final Path SAMPLES = Path.of("..", "samples");

  static final String FILE = "expect.yaml";

  public static SampleExpectation read(Path dir) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(dir.resolve(FILE).toFile());
    return new SampleExpectation(
        dir.getFileName().toString(),
        counts(root.path("migrationFlows"), "protocol", "verdict"),
        counts(root.path("alerts"), "rule", "severity"),
        root.path("malformedPackets").asInt(0),
        root.path("truncatedFiles").asInt(0),
        root.path("macsecEncryptedFrames").asLong(0),
        root.path("tunnelFragments").asLong(0),
        root.path("reassembledPackets").asLong(0),
        root.path("reassemblyConflicts").asLong(0),
        root.has("events") ? events(root.path("events")) : null);
  }

  /** Sample directories (those holding an expect.yaml) below {@code root}, sorted. */
  public static Stream<Path> directories(Path root) throws IOException {
    try (Stream<Path> list = Files.list(root)) {
      return list.filter(d -> Files.isRegularFile(d.resolve(FILE))).sorted().toList().stream();
    }
  }

  public static Stream<Path> directories() throws IOException {
    return directories(SAMPLES);
  }

  /** The verdicts expected for migration flows of {@code protocol}, with their counts. */
  Map<String, Integer> verdictsOf(String protocol) {
    Map<String, Integer> v = new TreeMap<>();
    migrationFlows.forEach(
        (k, n) -> {
          String[] pv = k.split(" ");
          if (pv[0].equals(protocol)) {
            v.put(pv[1], n);
          }
        });
    return v;
  }

  /** Events keyed "protocol verdict streams", e.g. "vmotion plaintext 3". */
  private static Map<String, Integer> events(JsonNode list) {
    Map<String, Integer> m = new TreeMap<>();
    for (JsonNode n : list) {
      m.merge(
          n.get("protocol").asText()
              + " "
              + n.get("verdict").asText()
              + " "
              + n.get("streams").asInt(),
          n.path("count").asInt(1),
          Integer::sum);
    }
    return m;
  }

  private static Map<String, Integer> counts(JsonNode list, String first, String second) {
    Map<String, Integer> m = new TreeMap<>();
    for (JsonNode n : list) {
      m.merge(
          n.get(first).asText() + " " + n.get(second).asText(),
          n.path("count").asInt(1),
          Integer::sum);
    }
    return m;
  }
}
