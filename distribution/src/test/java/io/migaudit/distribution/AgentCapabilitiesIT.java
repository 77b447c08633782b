package io.migaudit.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.testsupport.CiGate;
import io.migaudit.testsupport.Eventually;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The released agent with exactly the unit's privileges: user nobody, only CAP_NET_RAW (ambient and
 * bounding set), no CAP_NET_ADMIN. In a network namespace this test creates, it must put its
 * interface in promiscuous mode, capture a TCP handshake addressed to another host's MAC, create
 * its spool (0700, its own) and, after SIGTERM, leave the flow's final record there (Kafka is
 * away).
 */
class AgentCapabilitiesIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String NS =
      "mgcap" + ProcessHandle.current().pid() + "x" + ThreadLocalRandom.current().nextInt(1000);

  @TempDir static Path dir;
  static Path home;
  static boolean namespaceMade;

  @BeforeAll
  static void namespaceAndRelease() throws Exception {
    CiGate.require(
        "root".equals(System.getProperty("user.name")), "needs root (network namespace, setpriv)");
    ip("netns", "add", NS);
    namespaceMade = true;
    ip("-n", NS, "link", "set", "lo", "up");
    ip("-n", NS, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip("-n", NS, "link", "set", "v0", "up");
    ip("-n", NS, "link", "set", "v1", "up");
    ip("-n", NS, "addr", "add", "10.77.0.1/24", "dev", "v1");
    ip("-n", NS, "neigh", "add", "10.77.0.9", "lladdr", "02:00:00:00:00:09", "dev", "v1");
    Files.setPosixFilePermissions(
        dir, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody reads the jars
    Programs.Result tar = Programs.run(dir, "tar", "-xzf", Release.tarball().toString());
    assertThat(tar.exitCode()).as(tar.output()).isZero();
    home = dir.resolve("migaudit-" + Release.VERSION);
  }

  @AfterAll
  static void removeNamespace() throws Exception {
    if (namespaceMade) {
      Programs.run(dir, "ip", "netns", "del", NS);
    }
  }

  @Test
  void capturesPromiscuouslyWithOnlyCapNetRaw() throws Exception {
    Path state = Files.createDirectory(dir.resolve("state"));
    UserPrincipal nobody =
        dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(state, nobody);
    Path spool = state.resolve("spool");
    Path log = dir.resolve("agent.log");
    Process agent =
        new ProcessBuilder(
                List.of(
                    "ip",
                    "netns",
                    "exec",
                    NS,
                    "setpriv",
                    "--reuid=nobody",
                    "--regid=nogroup",
                    "--clear-groups",
                    "--inh-caps=-all,+net_raw",
                    "--ambient-caps=-all,+net_raw",
                    "--bounding-set=-all,+net_raw",
                    "--",
                    home.resolve("bin/migaudit").toString(),
                    "agent",
                    "--interface",
                    "v0",
                    "--capture-backend",
                    "libpcap",
                    "--bootstrap-servers",
                    "127.0.0.1:9",
                    "--spool-dir",
                    spool.toString(),
                    "--agent-id",
                    "cap-it"))
            .directory(state.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    // agent is the agent's JVM itself: ip netns exec, setpriv and the launcher exec, never fork
    try {
      await(
          () -> ip("-n", NS, "-d", "link", "show", "v0").contains("promiscuity 1"),
          "v0 in promiscuous mode",
          agent,
          log);
      // a TCP SYN to port 8000 of another host's MAC: only a promiscuous capture sees it on v0
      Programs.run(
          dir,
          "ip",
          "netns",
          "exec",
          NS,
          "bash",
          "-c",
          "timeout 2 bash -c 'echo > /dev/tcp/10.77.0.9/8000' || true");
      assertThat(agent.isAlive()).as("agent alive; log:%n%s", Files.readString(log)).isTrue();
    } finally {
      agent.destroy(); // SIGTERM: the open flow's final record goes to the spool
      if (!agent.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        agent.destroyForcibly();
      }
    }
    String output = Files.readString(log);
    assertThat(output).doesNotContain("Operation not permitted").contains("capturing on [v0]");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spool)))
        .isEqualTo("rwx------");
    assertThat(Files.getOwner(spool)).isEqualTo(nobody);
    try (Stream<Path> files = Files.list(spool)) {
      long recordBytes =
          files
              .filter(p -> p.toString().endsWith(".seg"))
              .mapToLong(p -> p.toFile().length() - 8)
              .sum();
      assertThat(recordBytes).as("spooled flow records; agent log:%n%s", output).isPositive();
    }
  }

  private static String ip(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "ip";
    System.arraycopy(args, 0, command, 1, args.length);
    Programs.Result r = Programs.run(Path.of("/"), command);
    assertThat(r.exitCode()).as("ip %s: %s", String.join(" ", args), r.output()).isZero();
    return r.output();
  }

  private static void await(Eventually.Condition check, String what, Process agent, Path log) {
    Eventually.until(
        what,
        DEADLINE,
        () -> {
          if (!agent.isAlive()) {
            throw Eventually.stop("the agent exited; log:\n" + Files.readString(log));
          }
          return check.holds();
        });
  }
}
