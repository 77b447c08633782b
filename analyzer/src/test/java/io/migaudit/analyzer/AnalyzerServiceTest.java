package io.migaudit.analyzer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.analyzer.alert.AlertSink;
import io.migaudit.analyzer.consume.KafkaSettings;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.policy.PolicyReloader.Outcome;
import io.migaudit.record.Alert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analyzer service before and without a broker: its policy reloads and its sinks close with it
 * (judging on Kafka is in the cli's ITs, on a real broker).
 */
class AnalyzerServiceTest {
  @TempDir Path dir;

  @Test
  void reloadsItsPolicyFileAndClosesItsSinks() throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.copy(Path.of("../samples/policy.yaml"), policy);
    AtomicBoolean closed = new AtomicBoolean();
    AlertSink sink =
        new AlertSink() {
          @Override
          public void write(List<Alert> alerts) {}

          @Override
          public void flush() {}

          @Override
          public void close() {
            closed.set(true);
          }
        };
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AnalyzerConfig config =
        AnalyzerConfig.defaults(
            new KafkaSettings("127.0.0.1:1", Map.of()), "service-test", dir.resolve("state"));
    AnalyzerService service =
        new AnalyzerService(
            config, policy, PolicyLoader.loadDigested(policy), List.of(sink), registry);
    assertThat(service.alive()).as("not started").isFalse();
    assertThat(service.reloader().reload("test")).isEqualTo(Outcome.UNCHANGED);
    Files.writeString(policy, "not: [a policy");
    assertThat(service.reloader().reload("test")).isEqualTo(Outcome.REJECTED);
    assertThat(registry.getMeters()).as("metrics bound to the registry given").isNotEmpty();
    service.close();
    assertThat(closed).as("sinks close with the service").isTrue();
  }
}
