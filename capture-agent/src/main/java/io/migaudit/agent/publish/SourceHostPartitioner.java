package io.migaudit.agent.publish;

import io.migaudit.record.FlowRecord;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.utils.Utils;

/**
 * Puts every flow record on the partition of its source host: the initiator of the flow, which for
 * a migration stream is the host sending the VM away and for a Kerberos exchange is the client.
 *
 * <p>So all records of one flow keep their order, all streams of one migration reach one analyzer
 * instance (which groups them into one event), and the Kerberos tickets a source host asked for
 * reach the instance that judges its migrations. Any one host pair lands on one partition. The
 * choice depends only on the source address, so it is the same on every agent and every run. A
 * value that is not a flow record falls back to the hash of its key.
 */
public final class SourceHostPartitioner implements Partitioner {

  @Override
  public int partition(
      String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
    int partitions = cluster.partitionCountForTopic(topic);
    byte[] basis =
        value instanceof FlowRecord r && r.src() != null
            ? r.src().getBytes(StandardCharsets.UTF_8)
            : keyBytes;
    return partitionOf(basis, partitions);
  }

  /** The partition, out of {@code partitions}, for a source address. */
  public static int partitionFor(String sourceAddress, int partitions) {
    return partitionOf(sourceAddress.getBytes(StandardCharsets.UTF_8), partitions);
  }

  private static int partitionOf(byte[] basis, int partitions) {
    if (basis == null || partitions <= 1) {
      return 0;
    }
    return Utils.toPositive(Utils.murmur2(basis)) % partitions;
  }

  @Override
  public void configure(Map<String, ?> configs) {}

  @Override
  public void close() {}
}
