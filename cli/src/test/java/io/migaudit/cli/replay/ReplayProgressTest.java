package io.migaudit.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplayProgressTest {
  @Test
  void saysBytesAndPacketsOfTheTotalRateAndTimeLeft() throws Exception {
    AtomicLong now = new AtomicLong(0);
    ReplayProgress p = new ReplayProgress(new PrintWriter(new StringWriter()), 4_000_000, now::get);
    p.packets(() -> 1234);
    assertThat(p.line()).isEqualTo("read 0 B of 4.0 MB (0%), 1234 packets, 0 B/s, - left");
    now.set(5_000_000_000L); // the broker started: the clock starts with the first byte read
    try (InputStream in = p.counting(new ByteArrayInputStream(new byte[1_000_000]))) {
      in.readAllBytes();
    }
    now.set(7_000_000_000L); // 2 s after the first byte
    assertThat(p.line())
        .isEqualTo("read 1.0 MB of 4.0 MB (25%), 1234 packets, 500.0 KB/s, 6 s left");
    try (InputStream in = p.counting(new ByteArrayInputStream(new byte[3_000_000]))) {
      in.readAllBytes();
    }
    now.set(60_000_000_000L); // the analyzer catches up: the rate is the reading's
    assertThat(p.line())
        .isEqualTo("read 4.0 MB of 4.0 MB (100%), 1234 packets, 2.0 MB/s, analyzing");
  }

  @Test
  void withoutATerminalNothingIsCountedOrDrawn() throws Exception {
    StringWriter err = new StringWriter();
    // the test JVM has no console: System.console() is null under surefire
    ReplayProgress p = ReplayProgress.onTerminal(new PrintWriter(err), 10);
    assertThat(p).isSameAs(ReplayProgress.NONE);
    InputStream raw = new ByteArrayInputStream(new byte[10]);
    assertThat(p.counting(raw)).isSameAs(raw);
    p.close();
    assertThat(err.toString()).isEmpty();
  }
}
