package io.migaudit.cli.bench;

import io.migaudit.analyzer.Analyzer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Where the analyzer's stream threads spent a benchmark run: their CPU time from their first record
 * on (what the analyzer's work costs apart from waiting), and from Kafka Streams' thread metrics
 * the transaction commits (count and mean time) and polls.
 */
final class StreamThreadFigures {
  private static final String GROUP = "stream-thread-metrics";
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU time of each stream thread at its first record. */
  private final Map<Long, Long> cpuAtFirstRecord = new ConcurrentHashMap<>();

  private final ThreadLocal<Boolean> seen = ThreadLocal.withInitial(() -> false);

  /** Called on a stream thread for each record it judges. */
  void onRecord() {
    if (!seen.get()) {
      seen.set(true);
      cpuAtFirstRecord.put(Thread.currentThread().getId(), THREADS.getCurrentThreadCpuTime());
    }
  }

  /** One line over every stream thread of {@code analyzers}, before they close. */
  String line(List<Analyzer> analyzers) {
    long cpuNanos = 0;
    for (Map.Entry<Long, Long> e : cpuAtFirstRecord.entrySet()) {
      long now = THREADS.getThreadCpuTime(e.getKey());
      cpuNanos += now < 0 ? 0 : now - e.getValue();
    }
    double commits = 0;
    double commitMillis = 0;
    double polls = 0;
    double pollMillis = 0;
    int threads = 0;
    for (Analyzer a : analyzers) {
      for (Map.Entry<MetricName, ? extends Metric> e : a.streamsMetrics().entrySet()) {
        if (!e.getKey().group().equals(GROUP)) {
          continue;
        }
        double v = value(e.getValue());
        switch (e.getKey().name()) {
          case "commit-total" -> commits += v;
          case "commit-latency-avg" -> commitMillis += v;
          case "poll-total" -> polls += v;
          case "poll-latency-avg" -> pollMillis += v;
          case "thread-start-time" -> threads++;
          default -> {}
        }
      }
    }
    int n = Math.max(1, threads);
    return String.format(
        Locale.ROOT,
        "%d stream thread(s): %.2f s CPU from their first record; %.0f commits of %.1f ms, %.0f"
            + " polls of %.1f ms",
        threads,
        cpuNanos / 1e9,
        commits,
        commitMillis / n,
        polls,
        pollMillis / n);
  }

  private static double value(Metric m) {
    return m.metricValue() instanceof Number x && !Double.isNaN(x.doubleValue())
        ? x.doubleValue()
        : 0;
  }
}
