package io.migaudit.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.testsupport.CiGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built {@code migaudit-VERSION.tar.gz}, unpacked, run with a PATH that holds only a shell and
 * the few tools the launcher calls (no Maven, no build) and {@code JAVA_HOME} naming this JVM.
 */
class ReleaseArchiveIT {
  /**
   * Replayed from the archive's own samples; their expect.yaml says which alerts each must give.
   */
  static final List<String> SAMPLES =
      List.of("vmotion-plaintext", "vmotion-tls", "untrusted-source");

  /**
   * Jars the agent and the analyzer must not carry: the broker, its test kit and what they pull in.
   */
  static final Pattern BROKER_ONLY =
      Pattern.compile(
          "kafka_2\\.|kafka-server|kafka-raft|kafka-storage|test-common|scala|log4j|junit|jose4j|commons-(collections|beanutils|digester)");

  @TempDir static Path dir;
  static Path home;
  static Map<String, String> env;

  @BeforeAll
  static void unpack() throws Exception {
    Programs.Result tar = Programs.run(dir, "tar", "-xzf", Release.tarball().toString());
    assertThat(tar.exitCode()).as(tar.output()).isZero();
    home = dir.resolve("migaudit-" + Release.VERSION);
    Path bin = Files.createDirectories(dir.resolve("path"));
    // what the launcher calls: mv and rm only to put a class-data archive in place
    for (String tool : List.of("bash", "readlink", "dirname", "mv", "rm")) {
      Path real = Programs.require(tool).toRealPath();
      Files.writeString(
          bin.resolve(tool),
          "#!" + Programs.require("bash").toRealPath() + "\nexec " + real + " \"$@\"\n");
      bin.resolve(tool).toFile().setExecutable(true);
    }
    env = new HashMap<>();
    env.put("PATH", bin.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("JAVA", null);
    env.put("MIGAUDIT_LIB", null);
    env.put("MIGAUDIT_CLASSPATH", null);
  }

  @Test
  void replaysItsSamplesWithoutMavenAndPrintsTheExpectedAlerts() throws Exception {
    assertThat(Files.exists(dir.resolve("path/mvn"))).isFalse();
    // --verbose: one line per alert after the findings, each naming its capture
    List<String> command =
        new ArrayList<>(
            List.of("bin/migaudit", "replay", "--verbose", "--policy", "samples/policy.yaml"));
    SAMPLES.forEach(s -> command.add("samples/" + s));
    Programs.Result r = Programs.run(home, env, command.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.output()).isZero();
    for (String sample : SAMPLES) {
      assertThat(alertsIn(r.output(), sample))
          .as("alerts of %s in:%n%s", sample, r.output())
          .isEqualTo(expectedAlerts(home.resolve("samples").resolve(sample)));
    }
  }

  @Test
  void agentAndAnalyzerRunWithoutTheBroker() throws Exception {
    for (String command : List.of("agent", "analyzer")) {
      List<Path> jars = classpathJars(command);
      assertThat(jars)
          .as("%s classpath", command)
          .isNotEmpty()
          .noneMatch(j -> BROKER_ONLY.matcher(j.getFileName().toString()).find());
      Programs.Result help = Programs.run(home, env, "bin/migaudit", command, "--help");
      assertThat(help.exitCode()).as(help.output()).isZero();
      assertThat(help.output()).startsWith("Usage: migaudit " + command);
    }
    assertThat(classpathJars("replay"))
        .anyMatch(j -> j.getFileName().toString().startsWith("kafka_2.13-"))
        .anyMatch(j -> j.getFileName().toString().startsWith("embedded-broker-"));
  }

  /**
   * The launcher's class-data archive: made by a run with MIGAUDIT_CDS_WRITE, then mapped by every
   * command, the broker's too (their classpath only adds to the one it was made with), and not by a
   * run that says none. The JVM's class-loading log names where each class came from.
   */
  @Test
  void classArchiveMadeByOneRunIsMappedByEveryCommand() throws Exception {
    Path archive = home.resolve("lib/classes.jsa");
    try {
      Map<String, String> write = new HashMap<>(env);
      write.put("MIGAUDIT_CDS_WRITE", archive.toString());
      Programs.Result made = archiveRun(write);
      assertThat(made.exitCode()).as(made.output()).isZero();
      assertThat(made.output())
          .as("the JVM's CDS warnings are not the user's")
          .doesNotContain("[cds");
      assertThat(archive).isNotEmptyFile();
      Programs.Result refused = Programs.run(home, write, "bin/migaudit", "replay", "--help");
      assertThat(refused.exitCode()).isEqualTo(2);
      assertThat(refused.output()).contains("MIGAUDIT_CDS_WRITE: make the archive with another");

      String shared = "io.migaudit.cli.MigauditCommand source: shared objects file (top)";
      Map<String, String> logged = new HashMap<>(env);
      logged.put("MIGAUDIT_JAVA_OPTS", "-Xlog:class+load=info");
      for (String command : List.of("analyzer", "replay")) {
        Programs.Result r = Programs.run(home, logged, "bin/migaudit", command, "--help");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).as(command).contains(shared);
      }
      logged.put("MIGAUDIT_CDS_ARCHIVE", "none");
      Programs.Result none = Programs.run(home, logged, "bin/migaudit", "--version");
      assertThat(none.exitCode()).as(none.output()).isZero();
      assertThat(none.output())
          .contains("io.migaudit.cli.MigauditCommand source: ")
          .doesNotContain(shared);
    } finally {
      Files.deleteIfExists(archive);
    }
  }

  /**
   * A JVM that maps a cut class-data archive crashes, so the launcher checks the one it made before
   * moving it into place: here a {@code java} that cuts every archive it writes leaves none, and
   * the run says so and fails.
   */
  @Test
  void aCutClassArchiveIsNeverPutInPlace() throws Exception {
    Path archive = home.resolve("lib/classes.jsa");
    Files.deleteIfExists(archive);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path cutting = dir.resolve("java-cutting-archives");
    Files.writeString(
        cutting,
        String.join(
            "\n",
            "#!" + Programs.require("bash").toRealPath(),
            "\"" + java + "\" \"$@\"; rc=$?",
            "for a in \"$@\"; do",
            "  case \"$a\" in -XX:ArchiveClassesAtExit=*) f=\"${a#*=}\"",
            "    " + Programs.require("chmod").toRealPath() + " u+w \"$f\"",
            "    " + Programs.require("truncate").toRealPath() + " -s 100000 \"$f\" ;;",
            "  esac",
            "done",
            "exit $rc",
            ""));
    cutting.toFile().setExecutable(true);
    Map<String, String> write = new HashMap<>(env);
    write.put("JAVA", cutting.toString());
    write.put("MIGAUDIT_CDS_WRITE", archive.toString());
    Programs.Result r = archiveRun(write);
    assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
    assertThat(r.output()).contains("no usable class-data archive was made");
    assertThat(archive).doesNotExist();
    try (Stream<Path> left = Files.list(home.resolve("lib"))) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".jsa"));
    }
    try (Stream<Path> left = Files.list(home)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("hs_err"));
    }
    Programs.Result after = Programs.run(home, env, "bin/migaudit", "--version");
    assertThat(after.exitCode()).as(after.output()).isZero();
  }

  /**
   * MIGAUDIT_AOT_CACHE, as the launcher decides it (a dry run, with a stand-in JDK 25 whose release
   * file says 25): a missing cache is trained by a run without the broker that ends, while replay
   * and the services run without one; an existing one replaces the class-data archive, and a JDK
   * before 25 is told, not started.
   */
  @Test
  void aotCacheNeedsAJdk25AndIsTrainedOnlyByARunThatEndsWithoutTheBroker() throws Exception {
    Path jdk = Files.createDirectories(dir.resolve("jdk-25-stand-in/bin"));
    Files.writeString(
        jdk.getParent().resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"25.0.3\"\n");
    Path java = jdk.resolve("java");
    Files.writeString(java, "#!" + Programs.require("bash").toRealPath() + "\nexit 0\n");
    java.toFile().setExecutable(true);
    Path cache = dir.resolve("aot/migaudit.aot");
    Files.createDirectories(cache.getParent());
    Files.deleteIfExists(cache);
    Map<String, String> dry = new HashMap<>(env);
    dry.put("JAVA", java.toString());
    dry.put("MIGAUDIT_DRY_RUN", "1");
    dry.put("MIGAUDIT_AOT_CACHE", cache.toString());

    Programs.Result train = archiveRun(dry);
    assertThat(train.exitCode()).as(train.output()).isZero();
    assertThat(train.output())
        .contains("-XX:AOTMode=record -XX:AOTConfiguration=" + cache + ".")
        .doesNotContain("SharedArchiveFile");
    for (String command : List.of("replay", "agent")) {
      Programs.Result without = Programs.run(home, dry, "bin/migaudit", command, "--help");
      assertThat(without.exitCode()).as(without.output()).isZero();
      assertThat(without.output())
          .as("%s: the broker's jars, or a service that must stay the JVM's own process", command)
          .contains("no cache at " + cache + " yet, running without one")
          .doesNotContain("AOTMode")
          .doesNotContain("AOTCache")
          .doesNotContain("SharedArchiveFile");
    }

    Files.writeString(cache, "a cache");
    for (String command : List.of("agent", "replay")) {
      Programs.Result use = Programs.run(home, dry, "bin/migaudit", command, "--help");
      assertThat(use.exitCode()).as(use.output()).isZero();
      assertThat(use.output())
          .contains("-XX:AOTCache=" + cache + " ")
          .doesNotContain("SharedArchiveFile")
          .doesNotContain("AOTMode=record");
    }

    Map<String, String> old = new HashMap<>(env); // JAVA_HOME: this JVM, Java 17
    old.put("MIGAUDIT_AOT_CACHE", cache.toString());
    Programs.Result tooOld = Programs.run(home, old, "bin/migaudit", "--version");
    assertThat(tooOld.exitCode()).isEqualTo(2);
    assertThat(tooOld.output()).contains("MIGAUDIT_AOT_CACHE needs a JDK 25 or later");
    dry.put("MIGAUDIT_CDS_WRITE", dir.resolve("aot/classes.jsa").toString());
    Programs.Result both = Programs.run(home, dry, "bin/migaudit", "--version");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.output()).contains("set one");
  }

  /**
   * With a real JDK 25 or later (Temurin's is under /usr/lib/jvm on the machines this project is
   * built on; elsewhere this test is skipped, since no runtime the product needs is missing): one
   * run trains the cache, quietly, leaving nothing beside it, and every command then loads its
   * classes from it, the broker's commands too.
   */
  @Test
  void aotCacheTrainedByOneRunIsUsedByEveryCommand() throws Exception {
    Path jdk25 = laterJdk();
    Assumptions.assumeTrue(jdk25 != null, "no JDK 25 or later under /usr/lib/jvm");
    Path cache = dir.resolve("aot-real/migaudit.aot");
    Files.createDirectories(cache.getParent());
    Map<String, String> train = new HashMap<>(env);
    train.put("JAVA", jdk25.resolve("bin/java").toString());
    train.put("MIGAUDIT_AOT_CACHE", cache.toString());
    Programs.Result made = archiveRun(train);
    assertThat(made.exitCode()).as(made.output()).isZero();
    assertThat(made.output())
        .as("the JVM's AOT messages are not the user's")
        .doesNotContain("[aot")
        .doesNotContain("Picked up")
        .doesNotContain("no usable AOT cache");
    assertThat(cache).isNotEmptyFile();
    try (Stream<Path> left = Files.list(cache.getParent())) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("migaudit.aot");
    }
    Map<String, String> logged = new HashMap<>(train);
    logged.put("MIGAUDIT_JAVA_OPTS", "-Xlog:class+load=info");
    for (String command : List.of("analyzer", "replay")) {
      Programs.Result r = Programs.run(home, logged, "bin/migaudit", command, "--help");
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(r.output())
          .as(command)
          .contains("io.migaudit.cli.MigauditCommand source: shared objects file");
    }
  }

  /** A JDK of feature version 25 or later under /usr/lib/jvm, by its release file; else null. */
  private static Path laterJdk() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return null;
    }
    try (Stream<Path> homes = Files.list(jvms)) {
      for (Path jdk : homes.sorted().toList()) {
        Path release = jdk.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(jdk.resolve("bin/java"))) {
          continue;
        }
        Matcher m =
            Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
        if (m.find() && Integer.parseInt(m.group(1)) >= 25) {
          return jdk;
        }
      }
    }
    return null;
  }

  /** The run ./migaudit and the Debian package make the class-data archive with. */
  private static Programs.Result archiveRun(Map<String, String> env) throws Exception {
    return Programs.run(
        home,
        env,
        "bin/migaudit",
        "classify-report",
        "--policy",
        "samples/policy.yaml",
        "samples/vmotion-plaintext");
  }

  /**
   * The launcher sizes the heap by the memory the JVM gets: the machine's, or a container's limit
   * where that is lower. In a private mount namespace a file saying 1 GiB is mounted over the
   * cgroup's limit; the dry run of {@code bench} then has neither the 512 MB young generation nor
   * the bench's fixed 2 GB heap, which it has with the memory this machine gives (8 GiB or more).
   */
  @Test
  void heapOptionsFollowAContainersMemoryLimit() throws Exception {
    CiGate.require(
        "root".equals(System.getProperty("user.name")), "needs root (a mount namespace)");
    Path limitFile =
        Stream.of("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
            .map(Path::of)
            .filter(Files::isRegularFile)
            .findFirst()
            .orElse(null);
    CiGate.require(limitFile != null, "no cgroup memory limit file to stand in for");
    Map<String, String> dry = new HashMap<>(env);
    dry.put("PATH", System.getenv("PATH")); // the launcher reads /proc/meminfo with awk
    dry.put("MIGAUDIT_DRY_RUN", "1");
    Path oneGib = Files.writeString(dir.resolve("memory-limit"), (1L << 30) + "\n");
    Programs.Result limited =
        Programs.run(
            home,
            dry,
            "unshare",
            "--mount",
            "sh",
            "-c",
            "mount --bind \"$0\" \"$1\" && exec bin/migaudit bench",
            oneGib.toString(),
            limitFile.toString());
    assertThat(limited.exitCode()).as(limited.output()).isZero();
    assertThat(limited.output())
        .contains("io.migaudit.cli.MigauditCommand bench")
        .doesNotContain("-Xmn")
        .doesNotContain("-Xms");

    long memoryKb = Math.min(memTotalKb(), limitKb(limitFile));
    Programs.Result free = Programs.run(home, dry, "bin/migaudit", "bench");
    assertThat(free.exitCode()).as(free.output()).isZero();
    if (memoryKb >= 8L << 20) {
      assertThat(free.output()).contains("-Xmn512m -Xms2g -XX:+AlwaysPreTouch");
    } else {
      assertThat(free.output()).as("%d kB of memory", memoryKb).doesNotContain("-Xmn");
    }
  }

  private static long memTotalKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no MemTotal in /proc/meminfo");
  }

  private static long limitKb(Path limitFile) throws IOException {
    String limit = Files.readString(limitFile).trim();
    return limit.matches("\\d{1,15}") ? Long.parseLong(limit) / 1024 : Long.MAX_VALUE;
  }

  @Test
  void windowsLauncherNamesAClasspathThatExists() throws Exception {
    String cmd = Files.readString(home.resolve("bin/migaudit.cmd"));
    assertThat(cmd)
        .contains("\r\n")
        .contains("set \"LIB=%~dp0..\\lib\"")
        .contains("io.migaudit.cli.MigauditCommand");
    Matcher m = Pattern.compile("%LIB%((?:\\\\\\w+)*)\\\\\\*").matcher(cmd);
    List<String> dirs = new ArrayList<>();
    while (m.find()) {
      dirs.add(m.group(1).replace('\\', '/'));
    }
    assertThat(dirs).contains("", "/broker");
    for (String d : dirs) {
      try (Stream<Path> jars = Files.list(home.resolve("lib" + d))) {
        assertThat(jars.filter(p -> p.toString().endsWith(".jar"))).as("lib%s", d).isNotEmpty();
      }
    }
    assertThat(jarHolding("io/migaudit/cli/MigauditCommand.class")).isNotNull();
  }

  @Test
  void carriesConfigsUnitsDashboardsAndTheSbom() throws IOException {
    for (String f :
        List.of(
            "etc/agent.yaml",
            "etc/analyzer.yaml",
            "etc/policy.yaml",
            "systemd/migaudit-agent.service",
            "systemd/migaudit-analyzer.service",
            "dashboards/migration-security.json",
            "README.md")) {
      assertThat(home.resolve(f)).as(f).isRegularFile();
    }
    assertThat(Files.isExecutable(home.resolve("bin/migaudit"))).isTrue();
    Path sbomFile = home.resolve("migaudit-" + Release.VERSION + "-sbom.json");
    if (!Files.exists(sbomFile) && !"true".equalsIgnoreCase(System.getenv("CI"))) {
      // cyclonedx's makeBom skips itself when Maven runs offline (-o); CI runs online
      Assumptions.abort("skipped: no SBOM in the archive (built offline?)");
    }
    String sbom = Files.readString(sbomFile);
    assertThat(sbom)
        .contains("\"bomFormat\" : \"CycloneDX\"")
        .contains("\"name\" : \"kafka-clients\"")
        .contains("\"name\" : \"pcap4j-core\"");
  }

  /**
   * The jars the launcher would put on the classpath of {@code command} (its dry run, expanded).
   */
  private static List<Path> classpathJars(String command) throws Exception {
    Map<String, String> dry = new HashMap<>(env);
    dry.put("MIGAUDIT_DRY_RUN", "1");
    Programs.Result r = Programs.run(home, dry, "bin/migaudit", command);
    assertThat(r.exitCode()).as(r.output()).isZero();
    Matcher cp = Pattern.compile(" -cp (\\S+) ").matcher(r.output());
    assertThat(cp.find()).as(r.output()).isTrue();
    List<Path> jars = new ArrayList<>();
    for (String entry : cp.group(1).split(":")) {
      assertThat(entry).endsWith("/*");
      try (Stream<Path> files = Files.list(Path.of(entry.substring(0, entry.length() - 2)))) {
        files.filter(p -> p.toString().endsWith(".jar")).forEach(jars::add);
      }
    }
    return jars;
  }

  private static Path jarHolding(String entry) throws IOException {
    try (Stream<Path> files = Files.list(home.resolve("lib"))) {
      for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).toList()) {
        try (JarFile j = new JarFile(jar.toFile())) {
          if (j.getEntry(entry) != null) {
            return jar;
          }
        }
      }
    }
    return null;
  }

  /** rule/severity -> count, from the sample's expect.yaml. */
  static Map<String, Integer> expectedAlerts(Path sample) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    Matcher m =
        Pattern.compile("\\{rule: (\\w+), severity: (\\w+), count: (\\d+)}")
            .matcher(Files.readString(sample.resolve("expect.yaml")));
    while (m.find()) {
      out.merge(m.group(1) + "/" + m.group(2), Integer.parseInt(m.group(3)), Integer::sum);
    }
    return out;
  }

  /** rule/severity -> count, from the replay's alert lines that end with the sample's capture. */
  static Map<String, Integer> alertsIn(String output, String sample) {
    Map<String, Integer> out = new TreeMap<>();
    Matcher m =
        Pattern.compile(
                "(?m)^\\s+(\\w+) ([A-Z][A-Z_]+) .*\\[samples/"
                    + Pattern.quote(sample)
                    + "/[^\\]]+]$")
            .matcher(output);
    while (m.find()) {
      out.merge(m.group(2) + "/" + m.group(1), 1, Integer::sum);
    }
    return out;
  }
}
