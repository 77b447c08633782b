package io.migaudit.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.cli.MigauditCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input fails fast with one line and exit code 2, before any broker starts. */
class ReplayCommandTest {
  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private Path sampleCapture() {
    return Path.of("..", "samples", "vmotion-plaintext", "capture.pcap");
  }

  @Test
  void badPolicyNamesFileLineAndField() throws IOException {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(
        policy, "encryption: required\ntrustedHosts: [192.168.50.11, 192.168.500.12]\n");
    Result r = run("replay", "--policy", policy.toString(), sampleCapture().toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .doesNotContain("\n")
        .startsWith("migaudit: ")
        .contains("policy.yaml:2")
        .contains("192.168.500.12");
    assertThat(r.err).doesNotContain("Exception");
  }

  @Test
  void missingFileIsOneLine() {
    Result r =
        run("replay", "--policy", "../samples/policy.yaml", dir.resolve("nope.pcap").toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .isEqualTo("migaudit: " + dir.resolve("nope.pcap") + ": no such file or directory");
  }

  @Test
  void fileThatIsNotACaptureIsOneLine() throws IOException {
    Path notPcap = dir.resolve("notes.pcap");
    Files.writeString(notPcap, "<html>this is not a capture</html>");
    Result r = run("replay", "--policy", "../samples/policy.yaml", notPcap.toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err.strip())
        .doesNotContain("\n")
        .contains("notes.pcap")
        .contains("not a pcap or pcapng file");
  }

  @Test
  void directoryWithoutPolicyAsksForOne() throws IOException {
    Files.copy(sampleCapture(), dir.resolve("x.pcap"));
    Result r = run("replay", dir.toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("no policy: pass --policy FILE");
  }

  @Test
  void emptyDirectoryHasNoCaptures() {
    Result r = run("replay", "--policy", "../samples/policy.yaml", dir.toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("no capture files");
  }

  @Test
  void helpExplainsEveryOption() {
    Result r = run("replay", "--help");
    assertThat(r.code).isZero();
    assertThat(r.out)
        .contains("--policy")
        .contains("--alerts")
        .contains("--flows")
        .contains("--bootstrap-servers")
        .contains("--kafka-config")
        .contains("embedded")
        .contains("--alerts-format")
        .contains("ocsf")
        .contains("--verbose");
  }

  @Test
  void anUnknownAlertsFormatIsOneLineAndExit2() {
    Result r =
        run(
            "replay",
            "--alerts-format",
            "cef",
            "--policy",
            "../samples/policy.yaml",
            dir.toString());
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("'cef' is not migaudit or ocsf");
    Result analyzer = run("analyzer", "--help");
    assertThat(analyzer.out).contains("--alerts-format");
  }
}
