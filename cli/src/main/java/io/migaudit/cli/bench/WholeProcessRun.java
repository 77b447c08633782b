package io.migaudit.cli.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Times the agent pipeline as a whole process, as the peers are timed: a fresh JVM with this one's
 * options and classpath runs {@code bench --single-pass} (start-up, class loading, JIT compilation
 * and one pass over the capture with N workers) and exits.
 */
final class WholeProcessRun {
  /** How long the fresh JVM may take before its row says it failed. */
  static final long TIMEOUT_SECONDS = 600;

  private WholeProcessRun() {}

  /** The child process's run: its wall-clock time, or why it failed. */
  static PeerTimer.Run time(Path capture, int workers) throws IOException, InterruptedException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(childOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
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
