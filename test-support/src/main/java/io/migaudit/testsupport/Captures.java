package io.migaudit.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
    ChildProcess generator =
        ChildProcess.program(
            dir.resolve("generator.log"),
            List.of(
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
                "7"));
    generator.awaitSuccess(Duration.ofSeconds(120));
    return out;
  }
}
