package io.migaudit.distribution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Where the build put the release: {@code distribution/target}, after {@code package}. */
final class Release {
  static final Path TARGET = Path.of("target").toAbsolutePath();
  static final String VERSION = System.getProperty("migaudit.version", "0.1.0-SNAPSHOT");

  private Release() {}

  static Path tarball() {
    return TARGET.resolve("migaudit-" + VERSION + ".tar.gz");
  }

  /** The one {@code migaudit_*_all.deb} in target. */
  static Path deb() throws IOException {
    try (Stream<Path> files = Files.list(TARGET)) {
      return files
          .filter(p -> p.getFileName().toString().matches("migaudit_.+_all\\.deb"))
          .findFirst()
          .orElseThrow(
              () -> new AssertionError("no migaudit_*_all.deb in " + TARGET + ": run mvn package"));
    }
  }
}
