package io.migaudit.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.FlowRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.junit.jupiter.api.Test;

class SourceHostPartitionerTest {
  private static final String TOPIC = "migaudit.flows";
  private final SourceHostPartitioner partitioner = new SourceHostPartitioner();
  private final Cluster cluster = cluster(12);

  @Test
  void everyRecordOfOneSourceHostLandsOnOnePartition() {
    int vmotion = partition(record("10.0.0.11", 41000, "10.0.0.12", 8000, "f1"));
    int secondStream = partition(record("10.0.0.11", 41002, "10.0.0.12", 8000, "f2"));
    int kerberos = partition(record("10.0.0.11", 50000, "10.0.0.5", 88, "f3"));
    assertThat(secondStream).as("another stream of the same migration").isEqualTo(vmotion);
    assertThat(kerberos).as("the source host's ticket request").isEqualTo(vmotion);
    assertThat(vmotion).isEqualTo(SourceHostPartitioner.partitionFor("10.0.0.11", 12));
  }

  @Test
  void differentSourceHostsSpreadOverThePartitions() {
    Set<Integer> used = new HashSet<>();
    for (int host = 1; host <= 200; host++) {
      int p = partition(record("10.1.0." + host, 40000, "10.2.0.1", 8000, "f" + host));
      assertThat(p).isBetween(0, 11);
      used.add(p);
    }
    assertThat(used).as("partitions used by 200 source hosts").hasSizeGreaterThan(8);
  }

  @Test
  void aValueThatIsNotAFlowRecordFallsBackToItsKey() {
    byte[] key = "flow-a".getBytes(StandardCharsets.UTF_8);
    int first = partitioner.partition(TOPIC, key, key, new byte[] {1}, new byte[] {1}, cluster);
    int again = partitioner.partition(TOPIC, key, key, new byte[] {2}, new byte[] {2}, cluster);
    assertThat(again).isEqualTo(first).isBetween(0, 11);
  }

  private int partition(FlowRecord r) {
    byte[] key = r.flowId().getBytes(StandardCharsets.UTF_8);
    return partitioner.partition(TOPIC, key, key, r, null, cluster);
  }

  private static FlowRecord record(
      String src, int srcPort, String dst, int dstPort, String flowId) {
    Instant t = Instant.parse("2026-11-23T10:00:00Z");
    return new FlowRecord(
        1, "agent", "eth0", flowId, 0, false, null, t, t, null, null, List.of(), 4, "tcp", src,
        srcPort, dst, dstPort, "syn", null, null, List.of(), null, null);
  }

  private static Cluster cluster(int partitions) {
    Node node = new Node(0, "localhost", 9092);
    List<PartitionInfo> infos = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      infos.add(new PartitionInfo(TOPIC, p, node, new Node[] {node}, new Node[] {node}));
    }
    return new Cluster("test", List.of(node), infos, Set.of(), Set.of());
  }
}
