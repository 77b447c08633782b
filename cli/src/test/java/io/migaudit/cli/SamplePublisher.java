package io.migaudit.cli;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.ProducerSettings;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.cli.classify.SampleExpectation;
import io.migaudit.cli.common.CaptureFiles;
import io.migaudit.record.FlowRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The agent side of the pipeline for tests: every capture under {@code samples/} through the {@link
 * FileAgent} and the real {@link FlowPublisher} (so its source-host partitioner places the
 * records).
 */
final class SamplePublisher {
  private SamplePublisher() {}

  /**
   * Publishes the flow records of every sample capture; returns how many the broker acknowledged.
   */
  static long publishAll(String bootstrapServers, Policy policy) throws Exception {
    return publish(
        bootstrapServers, policy, CaptureFiles.expand(List.of(SampleExpectation.SAMPLES)));
  }

  /** Publishes the flow records of these captures; returns how many the broker acknowledged. */
  static long publish(String bootstrapServers, Policy policy, List<Path> files) throws Exception {
    AgentConfig config = AgentConfig.defaults("it-agent").withCatalog(policy.catalog());
    KafkaProducer<byte[], FlowRecord> producer =
        new KafkaProducer<>(ProducerSettings.of(bootstrapServers, "it-agent", Map.of()));
    try (FlowPublisher publisher = new FlowPublisher(producer)) {
      new FileAgent(config, publisher, new PipelineCounters()).read(files);
      publisher.flush();
      return publisher.sent();
    }
  }
}
