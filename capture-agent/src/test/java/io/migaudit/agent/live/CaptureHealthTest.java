package io.migaudit.agent.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** /healthz of the live agent: every capture thread alive, none failed. */
class CaptureHealthTest {
  private final CountDownLatch release = new CountDownLatch(1);

  private Thread capture() {
    Thread t =
        new Thread(
            () -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "test-capture");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void healthyBeforeAndWhileCapturing() {
    CaptureHealth health = new CaptureHealth();
    assertThat(health.getAsBoolean()).isTrue();
    health.watch(capture());
    health.watch(capture());
    assertThat(health.getAsBoolean()).isTrue();
    release.countDown();
  }

  @Test
  void unhealthyOnceACaptureFailed() {
    CaptureHealth health = new CaptureHealth();
    health.watch(capture());
    health.failed();
    health.stopping(); // a failing thread stops the others: still unhealthy
    assertThat(health.getAsBoolean()).isFalse();
    release.countDown();
  }

  @Test
  void unhealthyWhenAThreadEndsUnasked() throws InterruptedException {
    CaptureHealth health = new CaptureHealth();
    health.watch(capture());
    Thread ended = capture();
    health.watch(ended);
    release.countDown();
    ended.join();
    assertThat(health.getAsBoolean()).isFalse();
  }

  @Test
  void stopRequestedIsNotAFailure() throws InterruptedException {
    CaptureHealth health = new CaptureHealth();
    Thread t = capture();
    health.watch(t);
    health.stopping();
    release.countDown();
    t.join();
    assertThat(health.getAsBoolean()).isTrue();
  }
}
