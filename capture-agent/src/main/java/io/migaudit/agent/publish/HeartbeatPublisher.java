package io.migaudit.agent.publish;

import io.migaudit.record.AgentHeartbeat;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes an {@link AgentHeartbeat} to {@link Topics#FLOWS} every interval of wall-clock time
 * while a live agent captures (key {@code heartbeat/AGENT}), and one more on {@link #close()}, so a
 * compliance report can tell an agent that saw no migration from one that was not running.
 * Heartbeats are not spooled: while Kafka is away they are lost, and a report shows that time as a
 * gap in the agent's coverage even though its flow records were spooled.
 */
public final class HeartbeatPublisher implements AutoCloseable {
  /** Default time between heartbeats. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatPublisher.class);

  /**
   * Longest a heartbeat's send waits for metadata or buffer space: beats run on their own timer
   * thread, so this holds up no capture; 1 s lost the first beat on a loaded 2-core host.
   */
  static final Duration SEND_BLOCK = Duration.ofSeconds(5);

  /** Longest {@link #close()} waits for the last heartbeats to be acknowledged (at shutdown). */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final Producer<byte[], byte[]> producer;
  private final String agent;
  private final List<String> interfaces;
  private final Duration interval;
  private final Clock clock;
  private final LongSupplier packets;
  private final LongSupplier records;
  private ScheduledExecutorService timer;
  private long failed;

  /**
   * @param packets packets read so far by the agent
   * @param records flow records handed to the publisher so far
   */
  public HeartbeatPublisher(
      Producer<byte[], byte[]> producer,
      String agent,
      List<String> interfaces,
      Duration interval,
      Clock clock,
      LongSupplier packets,
      LongSupplier records) {
    this.producer = producer;
    this.agent = agent;
    this.interfaces = List.copyOf(interfaces);
    this.interval = interval;
    this.clock = clock;
    this.packets = packets;
    this.records = records;
  }

  /** Producer properties for heartbeats: the flow producer's, with plain byte values and keys. */
  public static Map<String, Object> producerSettings(Map<String, Object> flowProducerSettings) {
    Map<String, Object> p = new HashMap<>(flowProducerSettings);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, p.get(ProducerConfig.CLIENT_ID_CONFIG) + "-heartbeat");
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, SignedBytesSerializer.class.getName());
    p.remove(ProducerConfig.PARTITIONER_CLASS_CONFIG); // by key: one agent, one partition
    // a heartbeat Kafka cannot take soon is worth nothing later: never hold up capture or shutdown
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) SEND_BLOCK.toMillis());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    return p;
  }

  /** Sends a first heartbeat now and one every interval on a daemon thread. */
  public void start() {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "migaudit-heartbeat");
              t.setDaemon(true);
              return t;
            });
    long ms = interval.toMillis();
    timer.scheduleAtFixedRate(this::beat, 0, ms, TimeUnit.MILLISECONDS);
  }

  /** Publishes one heartbeat now; a failure is logged and counted, never thrown. */
  public void beat() {
    AgentHeartbeat h =
        AgentHeartbeat.of(
            agent,
            clock.instant(),
            interval.toSeconds(),
            interfaces,
            packets.getAsLong(),
            records.getAsLong());
    byte[] key = ("heartbeat/" + agent).getBytes(StandardCharsets.UTF_8);
    try {
      producer.send(
          new ProducerRecord<>(Topics.FLOWS, key, RecordJson.toBytes(h)),
          (meta, error) -> {
            if (error != null) {
              noteFailure(error);
            }
          });
    } catch (KafkaException | IllegalStateException e) {
      noteFailure(e);
    }
  }

  private synchronized void noteFailure(Exception e) {
    if (failed++ == 0) {
      LOG.warn("heartbeat not delivered ({}); further failures are only counted", e.getMessage());
    }
  }

  /** Heartbeats that could not be delivered. */
  public synchronized long failed() {
    return failed;
  }

  /** Stops the timer, sends a last heartbeat and closes the producer. */
  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    beat();
    producer.close(CLOSE_WAIT);
  }
}
