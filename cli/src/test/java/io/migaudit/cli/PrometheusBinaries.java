package io.migaudit.cli;

import static org.assertj.core.api.Assertions.fail;

import io.migaudit.testsupport.CiGate;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds Debian's {@code prometheus} and {@code promtool} on the PATH. A missing binary skips the
 * test with the reason on a developer's machine and fails it when {@code CI=true}: CI installs the
 * package ({@code .ci/run}), so a missing binary there is a broken install, not a reason to pass.
 */
final class PrometheusBinaries {
  static final String INSTALL_HINT = "apt-get install --no-install-recommends prometheus";

  private PrometheusBinaries() {}

  /** The binary's path, or the test is skipped (locally) or failed (CI). */
  static Path require(String name) {
    Optional<Path> found = find(name);
    if (found.isEmpty()) {
      throw CiGate.unavailable(
          name + " is not on the PATH; install Debian's prometheus package (" + INSTALL_HINT + ")");
    }
    return found.get();
  }

  static Optional<Path> find(String name) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** What a finished command printed (stdout and stderr together) and its exit code. */
  record Result(int exitCode, String output) {}

  /**
   * Runs a command in {@code dir}, stdin closed, and waits for it at most {@code timeoutSeconds}.
   */
  static Result run(Path dir, long timeoutSeconds, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(List.of(command))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Path log = Files.createTempFile("migaudit-promtool", ".log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
      }
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }

  static List<String> command(Path binary, String... args) {
    List<String> c = new ArrayList<>();
    c.add(binary.toString());
    c.addAll(List.of(args));
    return c;
  }
}
