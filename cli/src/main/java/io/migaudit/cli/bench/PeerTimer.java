package io.migaudit.cli.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Times other tools reading the same capture file, as whole processes, when they are installed. */
final class PeerTimer {

  /** A peer tool and how to make it read a capture. */
  record Peer(String name, String binary, List<String> argsBeforeFile, List<String> argsAfterFile) {
    List<String> command(String binaryPath, Path capture, Path scratch) {
      List<String> cmd = new ArrayList<>();
      cmd.add(binaryPath);
      argsBeforeFile.forEach(a -> cmd.add(a.replace("{scratch}", scratch.toString())));
      cmd.add(capture.toString());
      argsAfterFile.forEach(a -> cmd.add(a.replace("{scratch}", scratch.toString())));
      return cmd;
    }
  }

  /**
   * The peers. tcpdump keeps the user it runs as ({@code -Z}): run as root, Debian's tcpdump
   * otherwise switches to the user {@code tcpdump} after opening the file, and fails where there is
   * no such user (a container, a bare image). Run as another user, it switches to none anyway.
   */
  static final List<Peer> PEERS =
      List.of(
          new Peer(
              "tcpdump -r -w /dev/null (libpcap read floor)",
              "tcpdump",
              List.of("-q", "-Z", System.getProperty("user.name"), "-r"),
              List.of("-w", "/dev/null")),
          new Peer("nfpcapd (nfdump)", "nfpcapd", List.of("-r"), List.of("-w", "{scratch}")),
          new Peer(
              "softflowd", "softflowd", List.of("-d", "-D", "-r"), List.of("-n", "127.0.0.1:9")),
          new Peer(
              "tshark -q -z conv,tcp", "tshark", List.of("-q", "-z", "conv,tcp", "-r"), List.of()));

  private PeerTimer() {}

  /** Full path of {@code binary} on PATH, or null. */
  static String find(String binary) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, binary);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }

  /**
   * One run of a command.
   *
   * @param nanos wall-clock nanoseconds, or -1 when it failed
   * @param failure why it failed (its exit status and last line of output), or null
   * @param lastLine the last line of its output that is not blank, stripped (at most 160
   *     characters; "" when none)
   */
  record Run(long nanos, String failure, String lastLine) {
    boolean failed() {
      return failure != null;
    }
  }

  /**
   * Times one run of {@code command}, its output kept in a scratch file only to say why it failed
   * or ran over {@code timeoutSeconds}.
   */
  static Run time(List<String> command, long timeoutSeconds)
      throws IOException, InterruptedException {
    Path output = Files.createTempFile("migaudit-bench-peer-", ".out");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
      long t0 = System.nanoTime();
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Run(-1, "ran past " + timeoutSeconds + " s", lastLine(output));
      }
      long elapsed = System.nanoTime() - t0;
      String last = lastLine(output);
      if (p.exitValue() == 0) {
        return new Run(elapsed, null, last);
      }
      return new Run(-1, "exit " + p.exitValue() + (last.isEmpty() ? "" : ": " + last), last);
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** The last line of {@code output} that is not blank, at most 160 characters; or "". */
  private static String lastLine(Path output) throws IOException {
    String last; // streamed: a peer such as tshark may print a line for each of 100,000 flows
    try (Stream<String> lines = Files.lines(output, StandardCharsets.ISO_8859_1)) {
      last = lines.filter(l -> !l.isBlank()).reduce((a, b) -> b).map(String::strip).orElse("");
    }
    if (last.length() > 160) {
      last = last.substring(0, 157) + "...";
    }
    return last;
  }
}
