package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.testsupport.ChildBroker;
import io.migaudit.testsupport.ChildProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code migaudit analyzer} in its own JVM, for tests that send it signals: SIGKILL ({@link
 * #kill()}), SIGTERM ({@link #terminate()}), SIGSTOP and SIGCONT ({@link #pause()}, {@link
 * #resume()}). Its /metrics listens on a port chosen here, so a test can poll how many records it
 * judged instead of sleeping. {@link #close()} kills it if it still runs.
 */
final class AnalyzerProcess implements AutoCloseable {
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(90);
  private static final Pattern RECORDS_OK =
      Pattern.compile("migaudit_analyzer_records_total\\{[^}]*outcome=\"ok\"[^}]*} ([0-9.E+]+)");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final Process process;
  private final int metricsPort;
  final Path log;

  private AnalyzerProcess(Process process, int metricsPort, Path log) {
    this.process = process;
    this.metricsPort = metricsPort;
    this.log = log;
  }

  /**
   * Starts {@code migaudit analyzer} with these options ({@code --metrics-address} is added); its
   * output goes to {@code log}.
   */
  static AnalyzerProcess start(Path log, List<String> options) throws IOException {
    int port = ChildBroker.freePort();
    List<String> args =
        new ArrayList<>(List.of("analyzer", "--metrics-address", "127.0.0.1:" + port));
    args.addAll(options);
    ChildProcess child =
        ChildProcess.java(
            log, List.of("-Xmx256m"), MigauditCommand.class.getName(), args.toArray(String[]::new));
    return new AnalyzerProcess(child.process(), port, log);
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /**
   * Records this process judged ({@code outcome="ok"}), or -1 while /metrics does not answer
   * (starting).
   */
  long recordsJudged() {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      Matcher m = RECORDS_OK.matcher(r.body());
      return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Polls /metrics until this process judged more than {@code records}; fails at the deadline. */
  void awaitJudgedMoreThan(long records, Duration deadline) throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    while (recordsJudged() <= records) {
      assertThat(process.isAlive()).as("analyzer alive (log " + log + ")").isTrue();
      assertThat(System.nanoTime())
          .as("analyzer judging more than " + records + " records (log " + log + ")")
          .isLessThan(end);
      Thread.sleep(50); // polling /metrics with a deadline
    }
  }

  /** SIGKILL: no shutdown hook, no commit, an open transaction left behind. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    awaitExit();
  }

  /** SIGTERM: a clean stop (the stream thread commits and leaves the group). */
  void terminate() throws InterruptedException {
    process.destroy();
    awaitExit();
  }

  /** SIGSTOP: the JVM freezes, heartbeats and transactions included. */
  void pause() throws Exception {
    signal("STOP");
  }

  /** SIGCONT. */
  void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0)
        .as("kill -" + name + " " + process.pid())
        .isTrue();
  }

  private void awaitExit() throws InterruptedException {
    assertThat(process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS))
        .as("analyzer stopped (log " + log + ")")
        .isTrue();
  }

  /** Kills it if it still runs (a test that failed half-way leaves no analyzer behind). */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  /** The process's output so far. */
  String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
