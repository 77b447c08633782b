package io.migaudit.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped units ({@code deploy/*.service}) as systemd sees them, without a running systemd:
 * {@code systemd-analyze verify} in a scratch root that holds the system's units and the {@code
 * /usr/bin/migaudit} the units start, and {@code systemd-analyze security --offline=true}, whose
 * exposure must stay at most 3.0 for the agent (packet capture needs CAP_NET_RAW and AF_PACKET) and
 * 2.0 for the analyzer.
 */
class SystemdUnitsTest {
  static final Path DEPLOY = CiInstallsProgramsTest.ROOT.resolve("deploy");
  private static final Pattern EXPOSURE =
      Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d)");

  @TempDir Path root;

  @Test
  void agentExposureIsAtMostThree() throws Exception {
    assertThat(exposure("migaudit-agent.service")).isLessThanOrEqualTo(3.0);
  }

  @Test
  void analyzerExposureIsAtMostTwo() throws Exception {
    assertThat(exposure("migaudit-analyzer.service")).isLessThanOrEqualTo(2.0);
  }

  @Test
  void unitsVerify() throws Exception {
    Path units = scratchRoot();
    for (String unit : List.of("migaudit-agent.service", "migaudit-analyzer.service")) {
      Files.copy(DEPLOY.resolve(unit), units.resolve(unit));
      Programs.Result r =
          Programs.run(root, "systemd-analyze", "verify", "--man=no", "--root=" + root, unit);
      assertThat(r.output()).as("systemd-analyze verify %s", unit).isEmpty();
      assertThat(r.exitCode()).as("systemd-analyze verify %s:%n%s", unit, r.output()).isZero();
    }
  }

  @Test
  void verifyCatchesABrokenUnit() throws Exception {
    // the harness above must be able to fail: a unit naming a program that does not exist
    Path units = scratchRoot();
    Files.writeString(
        units.resolve("broken.service"),
        Files.readString(DEPLOY.resolve("migaudit-agent.service"))
            .replace("/usr/bin/migaudit", "/usr/bin/nothere"));
    Programs.Result r =
        Programs.run(
            root, "systemd-analyze", "verify", "--man=no", "--root=" + root, "broken.service");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.output()).contains("/usr/bin/nothere");
  }

  @Test
  void agentKeepsOnlyCapNetRaw() throws IOException {
    String unit = Files.readString(DEPLOY.resolve("migaudit-agent.service"));
    assertThat(unit)
        .contains("\nAmbientCapabilities=CAP_NET_RAW\n", "\nCapabilityBoundingSet=CAP_NET_RAW\n")
        .doesNotContain("MemoryDenyWriteExecute=yes");
    assertThat(Files.readString(DEPLOY.resolve("migaudit-analyzer.service")))
        .contains("\nCapabilityBoundingSet=\n")
        .doesNotContain("MemoryDenyWriteExecute=yes");
  }

  /**
   * After SIGTERM the JVM runs its shutdown hooks (the agent's final records) and exits with 143
   * ({@code AgentShutdownIT} checks that status): without SuccessExitStatus every {@code systemctl
   * stop} would leave the unit "failed".
   */
  @Test
  void aStopBySigtermIsNotAFailure() throws IOException {
    for (String unit : List.of("migaudit-agent.service", "migaudit-analyzer.service")) {
      assertThat(Files.readString(DEPLOY.resolve(unit)))
          .as(unit)
          .contains("\nKillSignal=SIGTERM\n", "\nSuccessExitStatus=143\n");
    }
  }

  private double exposure(String unit) throws Exception {
    Programs.Result r =
        Programs.run(DEPLOY, "systemd-analyze", "security", "--offline=true", "--no-pager", unit);
    Matcher m = EXPOSURE.matcher(r.output());
    assertThat(m.find()).as("systemd-analyze security output:%n%s", r.output()).isTrue();
    return Double.parseDouble(m.group(1));
  }

  /**
   * Under {@link #root}: the system's own units (the targets ours name), the host's programs the
   * units start (so a wrong path still fails) and an executable /usr/bin/migaudit, which the
   * package gives.
   */
  private Path scratchRoot() throws Exception {
    Programs.require("systemd-analyze");
    Path units = Files.createDirectories(root.resolve("lib/systemd/system"));
    try (var system = Files.list(Path.of("/lib/systemd/system"))) {
      for (Path unit :
          system.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
        Files.copy(unit, units.resolve(unit.getFileName()));
      }
    }
    for (String program : List.of("/bin/kill")) {
      Path copy = root.resolve(program.substring(1));
      Files.createDirectories(copy.getParent());
      if (Files.exists(Path.of(program))) {
        Files.copy(Path.of(program), copy, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    Path bin = Files.createDirectories(root.resolve("usr/bin"));
    Files.writeString(bin.resolve("migaudit"), "#!/bin/sh\n");
    bin.resolve("migaudit").toFile().setExecutable(true);
    return units;
  }
}
