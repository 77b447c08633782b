package io.migaudit.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Records handed off the capture thread reach the next sink in order, on another thread, all of
 * them by close.
 */
class RecordHandOffTest {

  @Test
  void everyRecordArrivesInOrderOnThePublisherThreadByClose() {
    List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    RecordHandOff handOff =
        new RecordHandOff(
            r -> {
              seqs.add(r.seq());
              threads.add(Thread.currentThread().getName());
            },
            8); // smaller than the records: the capture side waits for room
    for (int i = 0; i < 1000; i++) {
      handOff.accept(FlowPublisherTest.record(i));
    }
    handOff.close();
    assertThat(seqs).hasSize(1000);
    for (int i = 0; i < 1000; i++) {
      assertThat(seqs.get(i)).isEqualTo(i);
    }
    assertThat(threads).containsOnly("flow-record-publisher");
    assertThat(handOff.queued()).isZero();
  }

  @Test
  void aFailingSinkNeitherBlocksTheCaptureNorGoesUnnoticed() throws InterruptedException {
    CountDownLatch failed = new CountDownLatch(1);
    RecordHandOff handOff =
        new RecordHandOff(
            r -> {
              failed.countDown();
              throw new IllegalStateException("publisher broke");
            },
            4);
    handOff.accept(FlowPublisherTest.record(0));
    assertThat(failed.await(30, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(
            () -> {
              for (int i = 1; i < 100; i++) {
                handOff.accept(FlowPublisherTest.record(i));
              }
            })
        .hasMessageContaining("publisher broke");
    assertThatThrownBy(handOff::close).hasMessage("publisher broke");
  }
}
