package io.migaudit.agent.publish;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the records of Kerberos exchanges to every partition of the flows topic, marked with
 * {@link Topics#EVIDENCE_COPY_HEADER}, so every analyzer instance knows which tickets each host
 * asked for. A Hyper-V host usually asks its KDC from its management address and migrates from
 * another one, and records are partitioned by source address ({@link SourceHostPartitioner}): without
 * the copies the instance judging the migration would not see the ticket request and would raise
 * a false {@code CREDSSP_MIGRATION}, or none where one is due.
 *
 * <p>Only records that carry Kerberos requests are copied: a few per host per ticket lifetime.
 * Copies are best effort (a copy that fails is counted and logged once, never spooled): the
 * original record is delivered as every other record is.
 */
final class EvidenceCopies {
  private static final Logger LOG = LoggerFactory.getLogger(EvidenceCopies.class);

  private final String topic;
  private final AtomicLong failed = new AtomicLong();

  EvidenceCopies(String topic) {
    this.topic = topic;
  }

  /** Sends the copies of {@code record}, if it is evidence; after the original was handed over. */
  void send(Producer<byte[], FlowRecord> producer, byte[] key, FlowRecord record) {
    if (record.kerberos() == null || record.kerberos().requests().isEmpty() || record.src() == null) {
      return;
    }
    List<PartitionInfo> partitions;
    try {
      partitions = producer.partitionsFor(topic);
    } catch (KafkaException | IllegalStateException e) { // no metadata in time, or the producer closed
      if (failed.getAndIncrement() == 0) {
        LOG.warn("evidence copies of Kerberos flow {} not sent: {}", record.flowId(), e.toString());
      }
      return;
    }
    int own = SourceHostPartitioner.partitionFor(record.src(), partitions.size());
    for (PartitionInfo p : partitions) {
      if (p.partition() == own) {
        continue;
      }
      RecordHeaders headers = new RecordHeaders();
      headers.add(Topics.EVIDENCE_COPY_HEADER, Topics.EVIDENCE_COPY_KERBEROS.getBytes(StandardCharsets.UTF_8));
      producer.send(new ProducerRecord<>(topic, p.partition(), key, record, headers), (meta, error) -> {
        if (error != null && failed.getAndIncrement() == 0) {
          LOG.warn("evidence copy of Kerberos flow {} not delivered to {}-{}: {}; analyzer instances owning"
              + " other partitions may not see this host's ticket requests", record.flowId(), topic,
              p.partition(), error.toString());
        }
      });
    }
  }

  /** Copies Kafka did not take. */
  long failed() {
    return failed.get();
  }
}
