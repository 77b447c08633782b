package io.migaudit.distribution;

import static org.assertj.core.api.Assertions.fail;

import io.migaudit.testsupport.CiGate;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the programs the release tests need. A missing program skips the test with the reason on a
 * developer's machine and fails it when {@code CI=true}: {@code .ci/run} installs every one.
 */
final class Programs {
  private static final long TIMEOUT_SECONDS = 300;

  private Programs() {}

  /** A finished program: exit code and output (stdout and stderr). */
  record Result(int exitCode, String output) {}

  /**
   * Runs {@code command} in {@code dir}; its first word must be on the PATH (else skip or fail).
   */
  static Result run(Path dir, String... command) throws IOException, InterruptedException {
    return run(dir, Map.of(), command);
  }

  /**
   * As {@link #run(Path, String...)}, with {@code env} setting (or, null, removing) environment
   * variables.
   */
  static Result run(Path dir, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    require(command[0]);
    ProcessBuilder pb =
        new ProcessBuilder(List.of(command))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    env.forEach(
        (k, v) -> {
          if (v == null) {
            pb.environment().remove(k);
          } else {
            pb.environment().put(k, v);
          }
        });
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** The program's path on the PATH, or the test is skipped (locally) or failed (CI). */
  static Path require(String name) {
    if (name.contains("/")) {
      return Path.of(name);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw CiGate.unavailable(
        name
            + " is not installed (.ci/run installs it; Debian: apt-get install "
            + CiInstallsProgramsTest.PROGRAMS.getOrDefault(name, name)
            + ")");
  }
}
