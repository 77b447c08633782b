package io.migaudit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Nearest-rank percentiles of the delays bench-alert-delay prints. */
class AlertDelayCommandTest {

  @Test
  void nearestRankPercentiles() {
    List<Long> hundred = LongStream.rangeClosed(1, 100).boxed().toList();
    assertThat(AlertDelayCommand.percentile(hundred, 50)).isEqualTo(50);
    assertThat(AlertDelayCommand.percentile(hundred, 99)).isEqualTo(99);
    assertThat(AlertDelayCommand.percentile(hundred, 100)).isEqualTo(100);
    List<Long> thirty = LongStream.rangeClosed(1, 30).map(i -> 31 - i).boxed().toList();
    assertThat(AlertDelayCommand.percentile(thirty, 99))
        .as("p99 of 30 is the largest")
        .isEqualTo(30);
    assertThat(AlertDelayCommand.percentile(thirty, 50)).isEqualTo(15);
    assertThat(AlertDelayCommand.percentile(List.of(7L), 99)).isEqualTo(7);
  }
}
