package io.migaudit.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.KerberosActivity;
import io.migaudit.record.KerberosRequest;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class EvidenceCopiesTest {
  private static final int PARTITIONS = 4;
  private final MockProducer<byte[], FlowRecord> producer = new MockProducer<>(cluster(), true,
      new SourceHostPartitioner(), new ByteArraySerializer(), new FlowRecordSerializer());

  @Test
  void aKerberosRecordReachesEveryPartitionOnceTheCopiesMarked() {
    FlowRecord tgs = record("10.10.0.21", 88).withKerberos(new KerberosActivity(List.of(
        new KerberosRequest("TGS-REQ", "Microsoft Virtual System Migration Service/hv-02.corp.example",
            "CORP.EXAMPLE"))));
    try (FlowPublisher publisher = new FlowPublisher(producer, Topics.FLOWS)) {
      publisher.accept(tgs);
    }
    List<ProducerRecord<byte[], FlowRecord>> sent = producer.history();
    assertThat(sent).hasSize(PARTITIONS);
    int own = SourceHostPartitioner.partitionFor("10.10.0.21", PARTITIONS);
    List<Integer> copiedTo = new ArrayList<>();
    for (ProducerRecord<byte[], FlowRecord> r : sent) {
      assertThat(r.value()).isEqualTo(tgs);
      boolean copy = r.headers().lastHeader(Topics.EVIDENCE_COPY_HEADER) != null;
      if (copy) {
        assertThat(new String(r.headers().lastHeader(Topics.EVIDENCE_COPY_HEADER).value(), StandardCharsets.UTF_8))
            .isEqualTo(Topics.EVIDENCE_COPY_KERBEROS);
        copiedTo.add(r.partition());
      } else {
        assertThat(r.partition()).as("the original goes to its source host's partition").isNull();
      }
    }
    assertThat(copiedTo).hasSize(PARTITIONS - 1).doesNotHaveDuplicates().doesNotContain(own)
        .allMatch(p -> p >= 0 && p < PARTITIONS);
  }

  @Test
  void otherRecordsAreNotCopied() {
    try (FlowPublisher publisher = new FlowPublisher(producer, Topics.FLOWS)) {
      publisher.accept(record("10.66.0.21", 6600));
      publisher.accept(record("10.10.0.21", 88)); // a KDC flow without a readable request
    }
    assertThat(producer.history()).hasSize(2)
        .allMatch(r -> r.headers().lastHeader(Topics.EVIDENCE_COPY_HEADER) == null);
  }

  private static FlowRecord record(String src, int dstPort) {
    Instant t = Instant.parse("2026-11-23T10:00:00Z");
    return new FlowRecord(1, "agent", "eth0", "flow-" + src + "-" + dstPort, 0, true, "fin", t, t, null, null,
        List.of(), 4, "tcp", src, 41000, "10.10.0.2", dstPort, "syn", null, null, List.of(), null, null);
  }

  private static Cluster cluster() {
    Node node = new Node(0, "localhost", 9092);
    List<PartitionInfo> infos = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      infos.add(new PartitionInfo(Topics.FLOWS, p, node, new Node[] {node}, new Node[] {node}));
    }
    return new Cluster("test", List.of(node), infos, Set.of(), Set.of());
  }
}
