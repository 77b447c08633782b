package io.migaudit.agent.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.flow.FlowTableConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Flows dealt to workers: streams that start together go one per worker whatever their hashes, a
 * new stream avoids a worker carrying a heavy one, and a flow's bucket changes worker only once a
 * table's sweep has ended every flow in it (FileWorkersTest checks the records against one table).
 */
class FlowSteeringTest {
  private static final FlowTableConfig CONFIG =
      new FlowTableConfig(
          1000, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(2));
  private static final long SECOND = 1_000_000;

  /** A flow hash in bucket {@code b}: the bucket is the hash's high 16 bits. */
  private static int inBucket(int b) {
    return (b << 16) | 0x1234;
  }

  @Test
  void everyWorkerIsInRangeAndUsed() {
    FlowSteering steering = new FlowSteering(5, CONFIG);
    Set<Integer> used = new HashSet<>();
    for (int b = 0; b < FlowSteering.BUCKETS; b += 97) {
      int w = steering.workerOf(inBucket(b), b);
      assertThat(w).isBetween(0, 4);
      used.add(w);
    }
    assertThat(used).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
  }

  /**
   * Eight streams whose hashes all lie in the lowest quarter (a hash split four ways would put them
   * all on worker 0) are dealt two to a worker and keep their worker while they send.
   */
  @Test
  void streamsThatStartTogetherAreDealtEvenly() {
    FlowSteering steering = new FlowSteering(4, CONFIG);
    Map<Integer, Integer> workerOf = new HashMap<>();
    long[] frames = new long[4];
    for (int round = 0; round < 20_000; round++) {
      for (int s = 1; s <= 8; s++) {
        int w = steering.workerOf(inBucket(s), round * 100L + s);
        assertThat(workerOf.computeIfAbsent(s, k -> w)).as("stream %d's worker", s).isEqualTo(w);
        frames[w]++;
      }
    }
    assertThat(frames).containsOnly(2 * 20_000L);
  }

  @Test
  void aNewStreamGoesToAWorkerWithoutAHeavyOne() {
    FlowSteering steering = new FlowSteering(4, CONFIG);
    Set<Integer> heavy = new HashSet<>();
    for (int i = 0; i < 30_000; i++) {
      for (int s = 1; s <= 3; s++) {
        heavy.add(steering.workerOf(inBucket(s), i * 10L));
      }
    }
    assertThat(heavy).hasSize(3);
    int fresh = steering.workerOf(inBucket(4), 300_000);
    assertThat(heavy).doesNotContain(fresh);
  }

  /**
   * What a worker carried an hour ago does not count: two streams that start together then go to
   * two workers, not both to the one that was idle before.
   */
  @Test
  void loadBeforeAQuietSpellIsForgotten() {
    FlowSteering steering = new FlowSteering(2, CONFIG);
    for (long t = 0; t <= SECOND; t += 10) {
      steering.workerOf(inBucket(1), t);
    }
    long later = 3600 * SECOND;
    int first = steering.workerOf(inBucket(2), later);
    int second = steering.workerOf(inBucket(3), later + 1);
    assertThat(first).isNotEqualTo(second);
  }

  /**
   * A table adds a frame to a flow it still holds however long the flow was quiet: the flow ends
   * only at a sweep that comes the idle timeout after its last frame. Until then its bucket stays
   * with its worker, even when another worker is idle.
   */
  @Test
  void aQuietFlowKeepsItsWorkerUntilASweepEndsIt() {
    FlowSteering steering = new FlowSteering(2, CONFIG);
    int quiet = start(steering);
    int last = steering.workerOf(inBucket(4), 5_000); // quiet from 5 ms on
    assertThat(last).isEqualTo(quiet);
    sendHeavyUntil(steering, 60 * SECOND); // sweeps every second, the last at 60 s
    steering.workerOf(inBucket(1), 60 * SECOND + SECOND / 2); // the clock passes 60.005 s
    assertThat(steering.workerOf(inBucket(4), 100 * SECOND))
        .as("59.995 s quiet at the last sweep: the table still holds the flow")
        .isEqualTo(quiet);
  }

  /** A flow quiet for the idle timeout at a sweep has ended: its bucket goes to the idle worker. */
  @Test
  void aFlowEndedByASweepMovesToTheLeastLoadedWorker() {
    FlowSteering steering = new FlowSteering(2, CONFIG);
    int quiet = start(steering); // quiet from 0 on
    sendHeavyUntil(steering, 60 * SECOND);
    assertThat(steering.workerOf(inBucket(4), 100 * SECOND)).isEqualTo(1 - quiet);
  }

  /** A flow that closed keeps its bucket while the table lets it absorb trailing frames. */
  @Test
  void aLingerLongerThanTheIdleTimeoutHoldsTheBucket() {
    FlowSteering steering =
        new FlowSteering(
            2,
            new FlowTableConfig(
                1000, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(70)));
    int quiet = start(steering);
    sendHeavyUntil(steering, 60 * SECOND);
    assertThat(steering.workerOf(inBucket(4), 100 * SECOND)).isEqualTo(quiet);
  }

  /**
   * Heavy stream 1, two others, then stream 4 at time 0: stream 4 shares the heavy stream's worker
   * (loads tie when it starts); returns that worker.
   */
  private static int start(FlowSteering steering) {
    int heavy = steering.workerOf(inBucket(1), 0);
    assertThat(steering.workerOf(inBucket(2), 0)).isNotEqualTo(heavy);
    int s4 = steering.workerOf(inBucket(4), 0);
    assertThat(s4).isEqualTo(heavy);
    return s4;
  }

  /** Frames of stream 1 every 10 ms up to {@code until}. */
  private static void sendHeavyUntil(FlowSteering steering, long until) {
    for (long t = 10_000; t <= until; t += 10_000) {
      steering.workerOf(inBucket(1), t);
    }
  }
}
