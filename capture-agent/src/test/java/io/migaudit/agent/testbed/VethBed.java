package io.migaudit.agent.testbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.migaudit.testsupport.CiGate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.pcap4j.core.Pcaps;

/**
 * A test host for live capture: a veth pair with one end in a network namespace of its own (the
 * "replay" end, where tcpreplay sends) and the other end in this namespace (the "capture" end).
 * Traffic never leaves the pair. {@link #requirePrerequisites()} skips the test when root,
 * iproute2, tcpreplay or libpcap is missing, except under {@code CI=true}, where it fails.
 */
public final class VethBed implements AutoCloseable {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  /** Above the samples' tagged 1518-byte frames. */
  private static final int MTU = 9000;

  private final String ns;
  private final String captureEnd;
  private final String replayEnd;

  private VethBed(String name) {
    this.ns = name;
    this.captureEnd = name + "-a";
    this.replayEnd = name + "-b";
  }

  /**
   * Creates the namespace {@code name} and the pair {@code name-a} (here) / {@code name-b} (there).
   */
  public static VethBed create(String name) throws Exception {
    VethBed bed = new VethBed(name);
    try {
      run(List.of("ip", "netns", "add", bed.ns));
      run(
          List.of(
              "ip",
              "link",
              "add",
              bed.captureEnd,
              "mtu",
              "" + MTU,
              "type",
              "veth",
              "peer",
              "name",
              bed.replayEnd,
              "mtu",
              "" + MTU));
      run(List.of("ip", "link", "set", bed.replayEnd, "netns", bed.ns));
      // no IPv6 on either end: a link coming up sends router and neighbour solicitations, frames
      // that a test counting what it replayed would count too (and then stop before the last)
      Files.writeString(Path.of("/proc/sys/net/ipv6/conf", bed.captureEnd, "disable_ipv6"), "1");
      run(
          List.of(
              "ip",
              "netns",
              "exec",
              bed.ns,
              "sh",
              "-c",
              "echo 1 > /proc/sys/net/ipv6/conf/" + bed.replayEnd + "/disable_ipv6"));
      run(List.of("ip", "link", "set", bed.captureEnd, "up"));
      run(List.of("ip", "netns", "exec", bed.ns, "ip", "link", "set", bed.replayEnd, "up"));
    } catch (Exception | AssertionError e) {
      bed.close();
      throw e;
    }
    return bed;
  }

  public String captureEnd() {
    return captureEnd;
  }

  /**
   * Sends capture files from the namespace's end with tcpreplay; {@code options} go before them.
   */
  public void replay(List<String> options, List<Path> captures) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, "tcpreplay", "-q"));
    command.addAll(options);
    command.addAll(List.of("-i", replayEnd));
    captures.forEach(c -> command.add(c.toString()));
    run(command);
  }

  @Override
  public void close() {
    quietly(List.of("ip", "link", "del", captureEnd)); // takes its peer in the namespace with it
    quietly(List.of("ip", "netns", "del", ns));
  }

  /** Skips (or fails under CI=true) unless root, ip, tcpreplay and libpcap are all there. */
  public static void requirePrerequisites() {
    List<String> missing = new ArrayList<>();
    if (!"root".equals(System.getProperty("user.name"))) {
      missing.add("root (network namespaces and live capture)");
    }
    for (String tool : List.of("ip", "tcpreplay")) {
      if (!onPath(tool)) {
        missing.add(
            tool + " (Debian: apt-get install " + (tool.equals("ip") ? "iproute2" : tool) + ")");
      }
    }
    try {
      Pcaps.libVersion();
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      missing.add("libpcap (Debian: apt-get install libpcap0.8)");
    }
    if (!missing.isEmpty()) {
      throw CiGate.unavailable("live capture test needs " + String.join(", ", missing));
    }
  }

  private static boolean onPath(String tool) {
    for (String dir :
        System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static void quietly(List<String> command) {
    try {
      new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (IOException e) {
      // nothing to clean up with
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + ": still running after " + COMMAND_TIMEOUT);
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
  }
}
