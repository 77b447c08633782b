package io.migaudit.cli.bench;

import io.migaudit.cli.common.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The benchmark capture of issue 8, made once by the repository's generator. */
final class BenchCapture {
  static final Path GENERATOR = Path.of("tools", "bench", "gen_migration_pcap.py");
  static final Path FILE = Path.of("target", "bench", "migration-2M-snap128.pcap");

  private BenchCapture() {}

  static Path ensure() throws IOException, InterruptedException, UserError {
    if (Files.isRegularFile(FILE)) {
      return FILE;
    }
    if (!Files.isRegularFile(GENERATOR)) {
      throw new UserError(
          GENERATOR + " not found: run bench from the repository root, or give a FILE");
    }
    Files.createDirectories(FILE.getParent());
    System.err.println("migaudit: making " + FILE + " with " + GENERATOR + " (about 15 s)...");
    Process p =
        new ProcessBuilder(
                "python3",
                GENERATOR.toString(),
                "--snap",
                FILE.toString(),
                "--packets",
                "2000000",
                "--flows",
                "100000",
                "--snaplen",
                "128",
                "--seed",
                "1")
            .inheritIO()
            .start();
    if (p.waitFor() != 0) {
      Files.deleteIfExists(FILE);
      throw new UserError("the benchmark capture generator failed (exit " + p.exitValue() + ")");
    }
    return FILE;
  }
}
