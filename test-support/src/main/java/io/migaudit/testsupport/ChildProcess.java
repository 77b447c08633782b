package io.migaudit.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program a test starts, its output (stdout and stderr) appended to a log file that failures
 * quote: a program from the PATH ({@link #program}, gated by {@link CiGate} when it is missing) or
 * a Java main class in a JVM of its own on this test's classpath ({@link #java}). {@link #close()}
 * kills it if it still runs.
 */
public final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final String name;

  private ChildProcess(Process process, Path log, String name) {
    this.process = process;
    this.log = log;
    this.name = name;
  }

  /**
   * Starts {@code command} (a program on the PATH and its arguments). A program that cannot be
   * started skips the test, or fails it when {@code CI=true}.
   */
  public static ChildProcess program(Path log, List<String> command) {
    try {
      return start(new ProcessBuilder(command), log, command.get(0));
    } catch (IOException e) {
      throw CiGate.unavailable("cannot start " + command.get(0) + ": " + e.getMessage());
    }
  }

  /**
   * Starts {@code mainClass} with {@code args} in a new JVM (this JVM's java, this test's
   * classpath) with {@code jvmOptions} (e.g. {@code -Xmx256m}).
   */
  public static ChildProcess java(
      Path log, List<String> jvmOptions, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    String simpleName = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    return start(new ProcessBuilder(command), log, simpleName + " " + String.join(" ", args));
  }

  private static ChildProcess start(ProcessBuilder builder, Path log, String name)
      throws IOException {
    Process p =
        builder
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    return new ChildProcess(p, log, name);
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Its output so far. */
  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Fails a wait at once ({@link Eventually#stop}) when the process has exited, quoting its log.
   */
  public void assertAlive() {
    if (!process.isAlive()) {
      throw Eventually.stop(name + " exited with " + process.exitValue() + "; log:\n" + log());
    }
  }

  /**
   * Waits for it to exit; fails, quoting its log, if it is still running after {@code deadline}.
   */
  public int awaitExit(Duration deadline) throws InterruptedException {
    if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " still running after " + deadline + "; log:\n" + log());
    }
    return process.exitValue();
  }

  /** Waits for it to exit and fails, quoting its log, unless it exited with 0. */
  public void awaitSuccess(Duration deadline) throws InterruptedException {
    int code = awaitExit(deadline);
    if (code != 0) {
      throw new AssertionError(name + " exited with " + code + "; log:\n" + log());
    }
  }

  /** SIGKILL, and waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
