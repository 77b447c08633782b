package io.migaudit.agent.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Robustness over real captures, malformed ones included: every file is read to its end with no
 * exception escaping, every decoded frame keeps its offsets inside the frame, and every file yields
 * as many frames as tcpdump printed.
 */
class CaptureCorpusTest {
  /** The full corpus next to the repository (docs/DESIGN.md); tests skip it when it is absent. */
  private static final Path SHARED =
      Path.of(
          System.getProperty(
              "migaudit.encapsulation.captures", "../../shared/captures/encapsulation"));

  @TestFactory
  Stream<DynamicTest> bundledCapturesDecodeToTheEndAsTcpdumpCountsThem() throws IOException {
    Path dir = CorpusReader.bundledDirectory();
    return corpus(dir, CorpusReader.testList(dir.resolve("README.md")));
  }

  @TestFactory
  Stream<DynamicTest> sharedCorpusDecodesToTheEndAsTcpdumpCountsIt() throws IOException {
    assumeTrue(Files.isDirectory(SHARED), "no shared capture corpus at " + SHARED.toAbsolutePath());
    return corpus(SHARED, CorpusReader.testList(SHARED.resolve("README.md")));
  }

  @Test
  void theBundledCorpusIsThere() throws IOException {
    List<Path> captures = CorpusReader.captures(CorpusReader.bundledDirectory());

    assertThat(captures).hasSize(24);
    assertThat(CorpusReader.testList(CorpusReader.bundledDirectory().resolve("README.md")))
        .hasSize(22);
  }

  private static Stream<DynamicTest> corpus(Path dir, Map<String, String> outputs)
      throws IOException {
    return CorpusReader.captures(dir).stream()
        .map(
            capture ->
                DynamicTest.dynamicTest(
                    capture.getFileName().toString(),
                    () -> {
                      CorpusReader.Capture read = CorpusReader.read(capture);
                      assertThat(read.stats().truncation()).as("truncation").isNull();
                      assertThat(read.stats().packetsRead()).isEqualTo(read.packets().size());
                      String out = outputs.get(CorpusReader.testListName(capture));
                      if (out != null && Files.exists(dir.resolve(out))) {
                        assertThat(read.packets())
                            .as("frames vs tcpdump's numbered lines in " + out)
                            .hasSameSizeAs(CorpusReader.packetLines(dir.resolve(out)));
                      }
                    }));
  }
}
