package io.migaudit.analyzer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.testsupport.Eventually;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Policy reloads on request and on file changes: applied, rejected (old one kept), or nothing new.
 */
class PolicyReloaderTest {
  /** Generous: the watcher thread competes with other builds for the CPU. */
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  private static final Duration QUIET = Duration.ofMillis(50);
  private static final String FIRST = "trustedHosts: [192.168.50.11, 192.168.50.12]\n";
  private static final String SECOND =
      "trustedHosts: [192.168.50.11, 192.168.50.12, 192.168.50.99]\n";
  private static final String BROKEN = "trustedHosts:\n  - 192.168.50.11\n  - 192.168.500.12\n";
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir Path dir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AnalyzerMetrics metrics = new AnalyzerMetrics(registry, Set.of("vmotion"));
  private final BlockingQueue<Policy> applied = new LinkedBlockingQueue<>();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private Path file;
  private PolicyReloader reloader;

  @BeforeEach
  void setUp() throws Exception {
    file = Files.writeString(dir.resolve("policy.yaml"), FIRST);
    reloader =
        new PolicyReloader(
            file,
            PolicyLoader.loadDigested(file),
            applied::add,
            metrics,
            Clock.fixed(NOW, ZoneOffset.UTC));
    log.start();
    ((Logger) LoggerFactory.getLogger(PolicyReloader.class)).addAppender(log);
  }

  @AfterEach
  void tearDown() throws IOException {
    reloader.close();
    ((Logger) LoggerFactory.getLogger(PolicyReloader.class)).detachAppender(log);
  }

  private double reloads(String outcome) {
    return registry
        .get(AnalyzerMetrics.POLICY_RELOADS)
        .tag(AnalyzerMetrics.TAG_OUTCOME, outcome)
        .counter()
        .count();
  }

  private Policy nextApplied() throws InterruptedException {
    Policy p = applied.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(p).as("a policy applied within " + DEADLINE).isNotNull();
    return p;
  }

  /**
   * Waits (with a deadline) until the watcher has counted {@code count} reloads of this outcome.
   */
  private void awaitReloads(String outcome, double count) {
    Eventually.until(count + " " + outcome + " reloads", DEADLINE, () -> reloads(outcome) >= count);
    assertThat(reloads(outcome)).isEqualTo(count);
  }

  @Test
  void countersStartAtZeroAndTheLoadTimeIsKnown() {
    assertThat(reloads(AnalyzerMetrics.RELOAD_APPLIED)).isZero();
    assertThat(reloads(AnalyzerMetrics.RELOAD_REJECTED)).isZero();
    assertThat(registry.get(AnalyzerMetrics.POLICY_LOADED).gauge().value())
        .isEqualTo(NOW.getEpochSecond());
  }

  @Test
  void validChangeIsApplied() throws Exception {
    Files.writeString(file, SECOND);
    assertThat(reloader.reload("test")).isEqualTo(PolicyReloader.Outcome.APPLIED);
    assertThat(applied.poll().isTrusted("192.168.50.99")).isTrue();
    assertThat(reloads(AnalyzerMetrics.RELOAD_APPLIED)).isEqualTo(1);
    assertThat(log.list)
        .singleElement()
        .extracting(ILoggingEvent::getFormattedMessage)
        .asString()
        .contains("applied")
        .contains(file.toString());
  }

  @Test
  void brokenChangeIsRejectedOnOneLineNamingFileAndLineAndTheOldPolicyStays() throws Exception {
    Files.writeString(file, BROKEN);
    assertThat(reloader.reload("test")).isEqualTo(PolicyReloader.Outcome.REJECTED);
    assertThat(applied).isEmpty();
    assertThat(reloads(AnalyzerMetrics.RELOAD_REJECTED)).isEqualTo(1);
    assertThat(reloads(AnalyzerMetrics.RELOAD_APPLIED)).isZero();
    assertThat(registry.get(AnalyzerMetrics.POLICY_LOADED).gauge().value())
        .isEqualTo(NOW.getEpochSecond());
    String line = log.list.get(0).getFormattedMessage();
    assertThat(log.list).hasSize(1);
    assertThat(line)
        .contains("rejected")
        .contains(file + ":3: trustedHosts[1]")
        .doesNotContain("\n");
    // asked again, it is rejected again (someone sent SIGHUP and should see it)
    assertThat(reloader.reload("test")).isEqualTo(PolicyReloader.Outcome.REJECTED);
    assertThat(reloads(AnalyzerMetrics.RELOAD_REJECTED)).isEqualTo(2);
  }

  @Test
  void missingFileIsRejected() throws Exception {
    Files.delete(file);
    assertThat(reloader.reload("test")).isEqualTo(PolicyReloader.Outcome.REJECTED);
    assertThat(log.list.get(0).getFormattedMessage()).contains(file + ": no such file");
  }

  @Test
  void sameTextIsNotAppliedAgain() throws Exception {
    Files.writeString(file, FIRST);
    assertThat(reloader.reload("test")).isEqualTo(PolicyReloader.Outcome.UNCHANGED);
    assertThat(applied).isEmpty();
    assertThat(reloads(AnalyzerMetrics.RELOAD_APPLIED)).isZero();
  }

  @Test
  void afterARejectionTheNextValidTextIsComparedWithThePolicyInForce() throws Exception {
    Files.writeString(file, BROKEN);
    reloader.reload("test");
    Files.writeString(file, FIRST);
    assertThat(reloader.reload("test")).isEqualTo(PolicyReloader.Outcome.UNCHANGED);
    Files.writeString(file, SECOND);
    assertThat(reloader.reload("test")).isEqualTo(PolicyReloader.Outcome.APPLIED);
  }

  @Test
  void watcherAppliesAnInPlaceEdit() throws Exception {
    reloader.watch(QUIET);
    Files.writeString(file, SECOND);
    assertThat(nextApplied().isTrusted("192.168.50.99")).isTrue();
    awaitReloads(AnalyzerMetrics.RELOAD_APPLIED, 1);
  }

  @Test
  void watcherSeesAFileRenamedOverThePolicy() throws Exception {
    reloader.watch(QUIET);
    // what vim (backupcopy=no), sed -i, Ansible and most config tools do: write aside, rename over
    Path aside = Files.writeString(dir.resolve(".policy.yaml.swp"), SECOND);
    Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    assertThat(nextApplied().isTrusted("192.168.50.99")).isTrue();
    // the watch is on the directory: the new file's later edits are seen too
    Files.writeString(file, FIRST);
    assertThat(nextApplied().isTrusted("192.168.50.99")).isFalse();
  }

  @Test
  void watcherRejectsABrokenEditOnceAndKeepsWatching() throws Exception {
    reloader.watch(QUIET);
    Files.writeString(file, BROKEN);
    awaitReloads(AnalyzerMetrics.RELOAD_REJECTED, 1);
    Files.writeString(file, BROKEN); // the same broken text again: nothing new to say
    Files.writeString(file, SECOND);
    assertThat(nextApplied().isTrusted("192.168.50.99")).isTrue();
    assertThat(reloads(AnalyzerMetrics.RELOAD_REJECTED)).isEqualTo(1);
    assertThat(applied).isEmpty();
  }

  @Test
  void watcherFollowsASymlinkSwap() throws Exception {
    // Kubernetes mounts a ConfigMap as policy.yaml -> ..data/policy.yaml, ..data -> ..2026_01_02/
    Path v1 = Files.createDirectories(dir.resolve("..v1"));
    Path v2 = Files.createDirectories(dir.resolve("..v2"));
    Files.writeString(v1.resolve("policy.yaml"), FIRST);
    Files.writeString(v2.resolve("policy.yaml"), SECOND);
    Path data = Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
    Path link = dir.resolve("linked.yaml");
    Files.createSymbolicLink(link, data.getFileName().resolve("policy.yaml"));
    try (PolicyReloader linked =
        new PolicyReloader(
            link, PolicyLoader.loadDigested(link), applied::add, metrics, Clock.systemUTC())) {
      linked.watch(QUIET);
      Path next = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
      Files.move(next, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      assertThat(nextApplied().isTrusted("192.168.50.99")).isTrue();
    }
    assertThat(List.copyOf(applied)).isEmpty();
  }
}
