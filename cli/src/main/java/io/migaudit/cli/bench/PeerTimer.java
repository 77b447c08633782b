package io.migaudit.cli.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

  static final List<Peer> PEERS =
      List.of(
          new Peer(
              "tcpdump -r -w /dev/null (libpcap read floor)",
              "tcpdump",
              List.of("-q", "-r"),
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

  /** Wall-clock nanoseconds of one run, or -1 when it failed or ran over {@code timeoutSeconds}. */
  static long time(List<String> command, long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    long t0 = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    long elapsed = System.nanoTime() - t0;
    return p.exitValue() == 0 ? elapsed : -1;
  }
}
