package io.migaudit.testsupport;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Generated test captures: the repository's benchmark generator, deterministic for its seed. */
public final class Captures {
  private static final Path GENERATOR = Path.of("..", "tools", "bench", "gen_migration_pcap.py");

  private Captures() {}

  /**
   * A capture of migration streams and {@code flows} short background flows in {@code packets}
   * packets, written under {@code dir}. Skips without python3, fails without it when CI=true.
   */
  public static Path generated(Path dir, int packets, int flows) throws Exception {
    Path out = dir.resolve("generated-" + packets + ".pcap");
    Process p;
    try {
      p =
          new ProcessBuilder(
                  "python3",
                  GENERATOR.toString(),
                  "--full",
                  out.toString(),
                  "--packets",
                  "" + packets,
                  "--flows",
                  "" + flows,
                  "--duration",
                  "20",
                  "--seed",
                  "7")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("generator.log").toFile())
              .start();
    } catch (java.io.IOException e) {
      String reason = "test capture generator needs python3: " + e.getMessage();
      if ("true".equals(System.getenv("CI"))) {
        fail(reason + " (CI=true: failing instead of skipping)");
      }
      assumeTrue(false, reason);
      throw e;
    }
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      fail(GENERATOR + " failed:\n" + Files.readString(dir.resolve("generator.log")));
    }
    return out;
  }
}
