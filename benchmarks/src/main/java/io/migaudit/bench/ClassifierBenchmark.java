package io.migaudit.bench;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.classify.PayloadClassifier;
import io.migaudit.agent.classify.PayloadSample;
import io.migaudit.record.PayloadFeatures;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The classify stage: sampling one full segment into a direction's histogram, and judging a flow
 * from its samples, the first time (statistics and reason computed) and again with nothing new
 * sampled (an interim record of a flow whose sample is full).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ClassifierBenchmark {
  private static final int SEGMENT = 1448;
  private static final int SMALL_SEGMENT = 120;

  /** A migration-sized direction: more than the 256 KiB sample. */
  private static final int STREAM = 320 * 1024;

  private final ByteBuffer segment = ByteBuffer.allocate(SEGMENT);
  private final ByteBuffer stream = ByteBuffer.allocate(STREAM);
  private PayloadSample filling;
  private PayloadSample full;
  private PayloadSample ack;

  @Setup
  public void samples() {
    new Random(1).nextBytes(segment.array());
    new Random(2).nextBytes(stream.array());
    filling = new PayloadSample(Integer.MAX_VALUE, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    full =
        new PayloadSample(
            AgentConfig.DEFAULT_SAMPLE_BYTES, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    while (full.sampledBytes() < AgentConfig.DEFAULT_SAMPLE_BYTES) {
      full.add(segment, 0, SEGMENT);
    }
    ack =
        new PayloadSample(
            AgentConfig.DEFAULT_SAMPLE_BYTES, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
  }

  /** One 1448-byte segment into a sample that still has room. */
  @Benchmark
  public long sampleSegment() {
    if (filling.sampledBytes()
        > 1 << 30) { // stay below the budget: measure sampling, not the resample path
      filling = new PayloadSample(Integer.MAX_VALUE, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    }
    filling.add(segment, 0, SEGMENT);
    return filling.sampledBytes();
  }

  /** Verdict of a flow whose sample just changed: byte statistics and the reason text. */
  @Benchmark
  public PayloadFeatures classifyChangedSample() {
    PayloadSample s = new PayloadSample(4096, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    s.add(segment, 0, SEGMENT);
    return PayloadClassifier.classify(false, s, ack);
  }

  /**
   * Verdict of a short flow whose sample just changed, 120 bytes kept as they are: the common
   * record of a flood of short flows.
   */
  @Benchmark
  public PayloadFeatures classifyChangedSmallSample() {
    PayloadSample s = new PayloadSample(4096, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    s.add(segment, 0, SMALL_SEGMENT);
    return PayloadClassifier.classify(false, s, ack);
  }

  /**
   * A uniform TCP direction (ciphertext) of 320 KiB sampled in stream order and judged: its
   * histogram, the bytes kept to look for a reused keystream, and the lags compared once.
   */
  @Benchmark
  public PayloadFeatures uniformStreamJudged() {
    return uniformJudged(true);
  }

  /**
   * The same bytes as datagrams (no stream offsets, so no look for a reused keystream): what {@link
   * #uniformStreamJudged} costs without it.
   */
  @Benchmark
  public PayloadFeatures uniformDatagramsJudged() {
    return uniformJudged(false);
  }

  private PayloadFeatures uniformJudged(boolean inStreamOrder) {
    PayloadSample s =
        new PayloadSample(
            AgentConfig.DEFAULT_SAMPLE_BYTES, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    for (int at = 0; at < STREAM; at += SEGMENT) {
      int length = Math.min(SEGMENT, STREAM - at);
      if (inStreamOrder) {
        s.bytes(at, stream, at, length);
      } else {
        s.add(stream, at, length);
      }
    }
    return PayloadClassifier.classify(false, s, ack);
  }

  /**
   * Verdict of a flow with a full, unchanged sample: the case of every interim record of a
   * migration.
   */
  @Benchmark
  public PayloadFeatures classifyFullSample() {
    return PayloadClassifier.classify(false, full, ack);
  }
}
