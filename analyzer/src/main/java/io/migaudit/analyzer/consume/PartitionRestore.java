package io.migaudit.analyzer.consume;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the analyzer's memory of a partition when it is assigned one that an analyzer of its group
 * already judged: after a rebalance moved it from another instance, or after a restart.
 *
 * <p>The memory is the alerts already raised per flow (so a later record of a flow does not raise
 * them again) and the open migration events (so a stream joins its event with the streams seen
 * before). Both live in one instance; without this, the new owner of a partition would raise again,
 * with the same id, every alert of a flow that was still running when the partition moved, and would
 * publish its events with only the streams it saw. So on assignment the consumer seeks back up to
 * {@code window} records before the committed offset and reads those records again to feed its
 * memory, writing nothing ({@link #judgedBefore}); judging resumes at the committed offset.
 *
 * <p>Only offsets this class committed (marked {@link #JUDGED}) are trusted to mean "judged": a
 * group whose offsets were set otherwise (e.g. a replay starting at the topic's end) starts with an
 * empty memory. A flow whose alert was raised more than {@code window} records back in its partition
 * can raise it again after a move, with the same alert id.
 */
final class PartitionRestore implements ConsumerRebalanceListener {
  /** Metadata of the offsets the analyzer commits: every record before them was judged. */
  static final String JUDGED = "migaudit-judged";
  /**
   * Records read again per newly assigned partition: at about 1 KB a record, 20 MB, e.g. 80 minutes
   * of a four-stream migration's interim records (one a second a stream) plus other flows.
   */
  static final int DEFAULT_WINDOW = 20_000;
  private static final Logger LOG = LoggerFactory.getLogger(PartitionRestore.class);

  private final Consumer<?, ?> consumer;
  private final int window;
  /** Per partition being restored: the committed offset, the first record not yet judged. */
  private final Map<TopicPartition, Long> judgedUntil = new HashMap<>();
  /**
   * The offsets this instance last committed: a partition given back still at that offset (an eager
   * rebalance revokes and reassigns every partition) is already in memory and is not re-read.
   */
  private final Map<TopicPartition, Long> committedHere = new HashMap<>();

  PartitionRestore(Consumer<?, ?> consumer, int window) {
    this.consumer = consumer;
    this.window = window;
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty() || window <= 0) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
    Map<TopicPartition, Long> judged = new LinkedHashMap<>();
    committed.forEach((tp, o) -> {
      boolean inMemory = o != null && Long.valueOf(o.offset()).equals(committedHere.get(tp));
      if (o != null && JUDGED.equals(o.metadata()) && o.offset() > 0 && !inMemory) {
        judged.put(tp, o.offset());
      }
    });
    if (judged.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> beginning = consumer.beginningOffsets(judged.keySet());
    judged.forEach((tp, until) -> {
      long from = Math.max(beginning.getOrDefault(tp, 0L), until - window);
      if (from < until) {
        consumer.seek(tp, from);
        judgedUntil.put(tp, until);
        LOG.info("re-reading {} offsets {} to {} to restore what was judged before it was assigned here",
            tp, from, until - 1);
      }
    });
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    partitions.forEach(judgedUntil::remove);
  }

  /** True when {@code r} was judged before this assignment: it feeds the memory but is not judged again. */
  boolean judgedBefore(ConsumerRecord<?, ?> r) {
    if (judgedUntil.isEmpty()) { // the usual case: no partition being re-read, no lookup per record
      return false;
    }
    Long until = judgedUntil.get(new TopicPartition(r.topic(), r.partition()));
    return until != null && r.offset() < until;
  }

  /**
   * The offsets to commit after {@code batch}: past its last record on each of its partitions, except
   * those still being re-read (committing them would move their offset back). If the commit fails,
   * the memory of what this instance committed is wrong only in a way that causes a re-read.
   */
  Map<TopicPartition, OffsetAndMetadata> commitOffsets(ConsumerRecords<?, ?> batch) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : batch.partitions()) {
      var records = batch.records(tp);
      long next = records.get(records.size() - 1).offset() + 1;
      Long until = judgedUntil.get(tp);
      if (until == null || next >= until) {
        offsets.put(tp, new OffsetAndMetadata(next, JUDGED));
        committedHere.put(tp, next);
        judgedUntil.remove(tp); // re-read done: every later record of it is judged
      }
    }
    return offsets;
  }
}
