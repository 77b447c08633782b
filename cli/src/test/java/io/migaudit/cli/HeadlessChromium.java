package io.migaudit.cli;

import io.migaudit.testsupport.CiGate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/**
 * Debian's {@code chromium}, headless, on a local file: its DOM after parsing ({@code --dump-dom})
 * and a screenshot. Missing, a test skips with a reason, or fails when {@code CI=true} (.ci/run
 * installs it). Each call has its own profile directory, so parallel runs do not share one.
 */
final class HeadlessChromium {
  private static final long TIMEOUT_SECONDS = 90;
  private final Path binary;

  private HeadlessChromium(Path binary) {
    this.binary = binary;
  }

  static HeadlessChromium require() {
    Path found = find("chromium");
    if (found != null) {
      return new HeadlessChromium(found);
    }
    throw CiGate.unavailable(
        "chromium is not installed (Debian package chromium: apt-get install chromium; .ci/run"
            + " installs it)");
  }

  /** {@code name} on the PATH, or null. */
  private static Path find(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** The page's DOM as Chromium serialises it after loading it. */
  String dumpDom(Path page, Path work) throws IOException, InterruptedException {
    return run(page, work, "--dump-dom");
  }

  /** A PNG of the page's first {@code width x height} CSS pixels. */
  void screenshot(Path page, Path png, int width, int height, Path work)
      throws IOException, InterruptedException {
    run(
        page,
        work,
        "--screenshot=" + png.toAbsolutePath(),
        "--window-size=" + width + "," + height,
        "--hide-scrollbars");
  }

  /**
   * The page printed to PDF (the print stylesheet applies), without Chromium's header and footer.
   */
  void printToPdf(Path page, Path pdf, Path work) throws IOException, InterruptedException {
    run(page, work, "--print-to-pdf=" + pdf.toAbsolutePath(), "--no-pdf-header-footer");
  }

  private String run(Path page, Path work, String... extra)
      throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(work, "chromium-profile");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile.toAbsolutePath()));
    cmd.addAll(List.of(extra));
    cmd.add(page.toAbsolutePath().toUri().toString());
    Path out = work.resolve("chromium-" + System.nanoTime() + ".out");
    Path err = work.resolve("chromium-" + System.nanoTime() + ".err");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      Assertions.fail(
          "chromium did not finish within " + TIMEOUT_SECONDS + " s: " + Files.readString(err));
    }
    Assertions.assertEquals(0, p.exitValue(), () -> "chromium failed: " + readQuietly(err));
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
