package io.migaudit.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * CI runs on a fresh machine with only a JDK and Maven: every program a test starts (directly, or
 * through the main code it drives) must be installed by {@code .ci/run}, or the test fails there
 * ({@code CI=true}) while passing on machines where someone installed it by hand. This test finds
 * the programs the sources start, requires each to be declared below with its Debian package, and
 * requires {@code .ci/run} to install every declared package.
 */
class CiInstallsProgramsTest {
  /** Programs the test suite starts, and the Debian package that gives each. */
  static final Map<String, String> PROGRAMS =
      Map.ofEntries(
          Map.entry("tcpdump", "tcpdump"),
          Map.entry("tcpreplay", "tcpreplay"),
          Map.entry("ip", "iproute2"),
          Map.entry("prometheus", "prometheus"),
          Map.entry("promtool", "prometheus"),
          Map.entry("python3", "python3"),
          Map.entry("kill", "procps"),
          Map.entry("lintian", "lintian"),
          Map.entry("systemd-analyze", "systemd"),
          Map.entry("dpkg-deb", "dpkg"),
          Map.entry("tar", "tar"),
          Map.entry("bash", "bash"),
          Map.entry("sh", "dash"),
          Map.entry("setpriv", "util-linux"),
          Map.entry("unshare", "util-linux"),
          Map.entry("chmod", "coreutils"),
          Map.entry("truncate", "coreutils"),
          Map.entry("env", "coreutils"),
          Map.entry("chromium", "chromium"),
          // bench peers: no test starts them (BenchCommandTest runs --no-peers, ThroughputTableTest
          // times tcpdump alone), but CI machines carry them so that ./migaudit bench compares
          // with the peers wherever the suite passes
          Map.entry("nfpcapd", "nfdump"),
          Map.entry("softflowd", "softflowd"),
          Map.entry("tshark", "tshark"));

  /** Programs found in the sources that no test starts, and why; .ci/run need not install them. */
  static final Map<String, String> NOT_STARTED_BY_TESTS =
      Map.of(
          "bin/migaudit",
              "the release's own launcher, unpacked from the built tarball by ReleaseArchiveIT",
          "java", "the JDK that runs Maven (java.home)",
          "analyzer",
              "a migaudit subcommand: the first argument of a child JVM (cli's AnalyzerProcess)",
          "keytool", "the JDK's own keytool, next to java");

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /**
   * Where a program's name stands in the sources: first word of a command, or a binary looked up.
   */
  private static final Pattern[] PROGRAM_SITES = {
    Pattern.compile("new ProcessBuilder\\(\\s*(?:List\\.of\\(\\s*)?\"([^\"-][^\"]*)\""),
    Pattern.compile("(?:run|ArrayList<>)\\(\\s*List\\.of\\(\\s*\"([^\"-][^\"]*)\""),
    Pattern.compile("\"exec\",\\s*[\\w.]+,\\s*\"([^\"-][^\"]*)\""),
    Pattern.compile("(?:require|find|resolveSibling|binary)\\(\\s*\"([a-z][\\w.+-]*)\"\\s*\\)"),
    Pattern.compile("isExecutable\\(Path\\.of\\(\\w+,\\s*\"([^\"]+)\"\\)"),
    Pattern.compile("new Peer\\(\"[^\"]*\",\\s*\"([^\"]+)\""),
    Pattern.compile("Programs\\.run\\(\\s*[\\w.]+,\\s*(?:[\\w.]+,\\s*)?\"([^\"]+)\""),
    // test-support's launcher: ChildProcess.program(log, List.of("python3", ...))
    Pattern.compile("ChildProcess\\.program\\(\\s*[^,]+,\\s*List\\.of\\(\\s*\"([^\"-][^\"]*)\""),
  };

  @Test
  void everyProgramTheSourcesStartIsDeclared() {
    Map<String, Set<Path>> found = programsInSources();
    Set<String> undeclared = new TreeSet<>(found.keySet());
    undeclared.removeAll(PROGRAMS.keySet());
    undeclared.removeAll(NOT_STARTED_BY_TESTS.keySet());
    assertThat(undeclared)
        .as(
            "programs started in %s: declare each in PROGRAMS (with its Debian package, and install it in"
                + " .ci/run) or in NOT_STARTED_BY_TESTS",
            found)
        .isEmpty();
  }

  @Test
  void theScanStillFindsTheProgramsWeKnowOf() {
    // Guards the patterns above: a refactoring that hides these from the scan would hide new ones
    // too.
    assertThat(programsInSources().keySet())
        .contains(
            "tcpdump",
            "tcpreplay",
            "ip",
            "prometheus",
            "promtool",
            "python3",
            "kill",
            "keytool",
            "systemd-analyze",
            "chromium");
  }

  @Test
  void ciRunInstallsEveryDeclaredPackage() throws IOException {
    Set<String> words = new TreeSet<>();
    for (String line : Files.readAllLines(ROOT.resolve(".ci/run"))) {
      String code = line.strip();
      if (!code.startsWith("#")) {
        words.addAll(Arrays.asList(code.split("[^\\w.+-]+")));
      }
    }
    Set<String> missing = new TreeSet<>(PROGRAMS.values());
    missing.removeAll(words);
    assertThat(missing)
        .as(".ci/run must install the packages of every program the tests start")
        .isEmpty();
  }

  @Test
  void ciRunEndsWithTheReadmeTestCommand() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    assertThat(readme).contains("mvn -B verify");
    String last =
        Files.readAllLines(ROOT.resolve(".ci/run")).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThat(last).isEqualTo("mvn -B verify");
  }

  static Map<String, Set<Path>> programsInSources() {
    Map<String, Set<Path>> found = new TreeMap<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      files
          .filter(CiInstallsProgramsTest::isSource)
          .forEach(
              f -> {
                String text = read(f);
                for (Pattern site : PROGRAM_SITES) {
                  Matcher m = site.matcher(text);
                  while (m.find()) {
                    found.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(ROOT.relativize(f));
                  }
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  private static boolean isSource(Path f) {
    String s = ROOT.relativize(f).toString();
    return s.endsWith(".java")
        && s.contains("/src/")
        && !s.contains("/target/")
        && !s.startsWith(".git");
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
