package io.migaudit.cli.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times the agent pipeline as a whole process, as the peers are timed: a fresh JVM with this one's
 * options and classpath runs {@code bench --single-pass} (start-up, class loading, JIT compilation
 * and one pass over the capture with N workers), says where its time went ({@link Breakdown}) and
 * exits.
 */
final class WholeProcessRun {
  /** How long the fresh JVM may take before its row says it failed. */
  static final long TIMEOUT_SECONDS = 600;

  private WholeProcessRun() {}

  /**
   * Where the fresh JVM's time went, as its last line of output says: what came before the pass
   * (the JVM's start, class loading, the command line), the pass, and the JIT compilers' time at
   * work (the JVM's {@code CompilationMXBean}; on a machine with few cores, time the compiler
   * threads share the cores with the workers).
   *
   * @param jitMillis -1 when the JVM cannot tell
   */
  record Breakdown(long startupMillis, long passMillis, long jitMillis) {
    private static final Pattern LINE =
        Pattern.compile(
            "single pass: start-up (\\d+) ms, pass (\\d+) ms, JIT compilation (-1|\\d+) ms");

    /** This JVM's, for a pass that began {@code uptimeAtStartMillis} after it started. */
    static Breakdown of(long uptimeAtStartMillis, long passNanos) {
      CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
      long jitMillis =
          jit != null && jit.isCompilationTimeMonitoringSupported()
              ? jit.getTotalCompilationTime()
              : -1;
      return new Breakdown(uptimeAtStartMillis, passNanos / 1_000_000, jitMillis);
    }

    /** The child's last line of output. */
    String line() {
      return String.format(
          Locale.ROOT,
          "single pass: start-up %d ms, pass %d ms, JIT compilation %d ms",
          startupMillis,
          passMillis,
          jitMillis);
    }

    /** The breakdown in a child's last line of output, if it is one. */
    static Optional<Breakdown> parse(String line) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        return Optional.empty();
      }
      return Optional.of(
          new Breakdown(
              Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
    }

    /** For the row: "start-up 0.61 s, the pass 2.89 s, JIT compiling 3.92 s". */
    String describe() {
      String jit =
          jitMillis < 0
              ? ""
              : String.format(Locale.ROOT, ", JIT compiling %.2f s", jitMillis / 1e3);
      return String.format(
              Locale.ROOT,
              "start-up %.2f s, the pass %.2f s",
              startupMillis / 1e3,
              passMillis / 1e3)
          + jit;
    }
  }

  /** The child process's run: its wall-clock time, or why it failed. */
  static PeerTimer.Run time(Path capture, int workers) throws IOException, InterruptedException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(childOptions());
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "io.migaudit.cli.MigauditCommand",
            "bench",
            "--single-pass",
            "--workers",
            Integer.toString(workers),
            capture.toString()));
    return PeerTimer.time(command, TIMEOUT_SECONDS);
  }

  /**
   * What the row says of a child started with {@code options} beyond its breakdown: that it ran
   * with a JDK 25+ AOT cache (the launcher's {@code MIGAUDIT_AOT_CACHE}), which makes the first
   * pass much faster than the class-data archive does (BENCHMARKS.md, "The first pass on a later
   * JDK"); empty otherwise.
   */
  static String cacheNote(List<String> options) {
    return options.stream().anyMatch(o -> o.startsWith("-XX:AOTCache="))
        ? "; the JDK's AOT cache"
        : "";
  }

  /** {@link #cacheNote(List)} of the child this JVM starts. */
  static String cacheNote() {
    return cacheNote(childOptions());
  }

  /** The options of the child this JVM starts. */
  private static List<String> childOptions() {
    return childOptions(ManagementFactory.getRuntimeMXBean().getInputArguments());
  }

  /**
   * This JVM's options as the child gets them: without a recording or an agent, and without the
   * fixed, pre-touched heap the launcher gives the bench's own passes (a fresh agent grows its heap
   * as it goes, and pre-touching would add to the start-up the row times).
   */
  static List<String> childOptions(List<String> options) {
    List<String> kept = new ArrayList<>();
    for (String arg : options) {
      if (!arg.startsWith("-XX:StartFlightRecording")
          && !arg.startsWith("-agentlib")
          && !arg.startsWith("-Xms")
          && !arg.equals("-XX:+AlwaysPreTouch")) {
        kept.add(arg);
      }
    }
    return kept;
  }
}
