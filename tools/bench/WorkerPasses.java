import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.agent.publish.RecordHandOff;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.record.RecordJson;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Passes of the agent pipeline back to back in one JVM, as `migaudit bench` times them but without
 * the other rows, to compare builds (A/B) or settings quickly (BENCHMARKS.md, issue 18).
 *
 * <pre>
 * ./migaudit --version   # builds cli/target
 * java -Xmn512m -cp "cli/target/migaudit-cli.jar:cli/target/lib/*" tools/bench/WorkerPasses.java \
 *     target/bench/migration-2M-snap128.pcap WORKERS PASSES [handoff]
 * java -Xmn1g -cp "cli/target/migaudit-cli.jar:cli/target/lib/*" tools/bench/WorkerPasses.java \
 *     target/bench/migration-2M-snap128.pcap pair PASSES
 * </pre>
 *
 * WORKERS 1: one worker fed by the file; 2 or more: workers taking turns reading the file (as `agent
 * --read`); prints packets/s and the whole process's CPU a packet, and with one worker its thread's
 * CPU and the bytes it allocated a packet (the last does not vary from run to run: a fair A/B
 * figure on a noisy machine); {@code handoff}: the records serialized on a publishing thread
 * ({@code RecordHandOff}), as the agent does. With two or more workers it also prints the busiest
 * worker's share of the IP packets and of the workers' CPU time (sampled every 5 ms): on a host
 * with a core for each worker, the busiest worker bounds the speed-up at 1 / its share of the work;
 * and the wall-clock time of the workers' turns at reading the file a packet (one at a time: with a
 * core for each worker, no number of workers reads the file faster than one packet in that time).
 * {@code pair}: one worker alone,
 * then two one-worker pipelines at once on two threads, each thread's CPU a packet (whether two
 * threads slow each other on this machine's cores).
 */
public class WorkerPasses {
  public static void main(String[] args) throws Exception {
    Path capture = Path.of(args[0]);
    int passes = Integer.parseInt(args[2]);
    if (args[1].equals("pair")) {
      pair(capture, passes);
      return;
    }
    int workers = Integer.parseInt(args[1]);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    var thread = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int pass = 0; pass < passes; pass++) {
      RecordHandOff handOff =
          args.length > 3 && args[3].equals("handoff")
              ? new RecordHandOff(serialize(), RecordHandOff.DEFAULT_CAPACITY)
              : null;
      PipelineCounters counters = new PipelineCounters();
      CaptureWorkers pipeline = pipeline(workers, handOff, counters);
      WorkerCpu workerCpu = workers > 1 ? WorkerCpu.start(thread) : null;
      long threadCpu0 = thread.getCurrentThreadCpuTime();
      long allocated0 = thread.getCurrentThreadAllocatedBytes();
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      CaptureAgent.SourceReport report;
      if (workers == 1) {
        try (PcapFileSource source = PcapFileSource.open(capture)) {
          report = pipeline.run(source, "bench", EndReason.END_OF_CAPTURE);
        }
      } else {
        report = pipeline.run(capture, "bench", EndReason.END_OF_CAPTURE);
      }
      if (handOff != null) {
        handOff.close(); // every record serialized before the pass ends
      }
      long nanos = System.nanoTime() - t0;
      long cpu = os.getProcessCpuTime() - cpu0;
      long packets = report.packets();
      System.out.printf(
          "workers %d: %.2f M packets/s, %.0f ns of process CPU a packet",
          workers, packets * 1e3 / nanos, (double) cpu / packets);
      if (workerCpu != null) {
        System.out.printf(
            "; busiest worker %.1f %% of the IP packets, %.1f %% of the workers' CPU (even: %.1f %%);"
                + " reading turns %.0f ns a packet",
            100 * counters.busiestWorkerShare(),
            100 * workerCpu.stop(),
            100.0 / workers,
            (double) counters.readingNanos() / packets);
      }
      if (workers == 1) { // the pipeline ran on this thread
        System.out.printf(
            ", its thread %.0f ns and %.0f B allocated a packet",
            (double) (thread.getCurrentThreadCpuTime() - threadCpu0) / packets,
            (double) (thread.getCurrentThreadAllocatedBytes() - allocated0) / packets);
      }
      System.out.println();
    }
  }

  /** Records serialized to JSON and dropped, as the bench does. */
  private static FlowRecordSink serialize() {
    LongAdder bytes = new LongAdder();
    return r -> bytes.add(RecordJson.toBytes(r).length);
  }

  /** On the threads that make them, or through {@code handOff} on its thread (as the agent). */
  private static CaptureWorkers pipeline(
      int workers, RecordHandOff handOff, PipelineCounters counters) {
    return new CaptureWorkers(
        AgentConfig.defaults("bench"), handOff != null ? handOff : serialize(), counters, workers);
  }

  /**
   * The CPU time of each capture worker thread (the calling thread is worker 0, the others are
   * named flow-worker-N), sampled every 5 ms while they live, as a thread's CPU time cannot be read
   * once it has ended.
   */
  private static final class WorkerCpu implements Runnable {
    private final ThreadMXBean mx;
    private final long main0;
    private final Map<Long, Long> seen = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private final Thread sampler = new Thread(this, "worker-cpu-sampler");

    private WorkerCpu(ThreadMXBean mx) {
      this.mx = mx;
      this.main0 = mx.getCurrentThreadCpuTime();
    }

    static WorkerCpu start(ThreadMXBean mx) {
      WorkerCpu w = new WorkerCpu(mx);
      w.sampler.setDaemon(true);
      w.sampler.start();
      return w;
    }

    @Override
    public void run() {
      while (running) {
        Thread[] all = new Thread[Thread.activeCount() + 64];
        int n = root().enumerate(all, true); // no stack traces, no safepoint
        for (int i = 0; i < n; i++) {
          Thread t = all[i];
          if (t.getName().startsWith("flow-worker-")) {
            long cpu = mx.getThreadCpuTime(t.getId());
            if (cpu > 0) {
              seen.put(t.getId(), cpu);
            }
          }
        }
        try {
          // the sampling interval: a worker's CPU after its last sample (under 5 ms) is not
          // counted, as an ended thread's CPU time cannot be read; short enough for passes of
          // a second or more, long enough not to take a core from the workers
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private static ThreadGroup root() {
      ThreadGroup g = Thread.currentThread().getThreadGroup();
      while (g.getParent() != null) {
        g = g.getParent();
      }
      return g;
    }

    /** The busiest worker's share of all workers' CPU time. */
    double stop() throws InterruptedException {
      running = false;
      sampler.join();
      long main = mx.getCurrentThreadCpuTime() - main0;
      long total = main;
      long most = main;
      for (long cpu : seen.values()) {
        total += cpu;
        most = Math.max(most, cpu);
      }
      return (double) most / total;
    }
  }

  private static void pair(Path capture, int passes) throws Exception {
    for (int pass = 0; pass < passes; pass++) {
      System.out.printf("alone: %.0f ns of thread CPU a packet%n", oneWorker(capture));
    }
    for (int pass = 0; pass < passes; pass++) {
      double[] cost = new double[2];
      Thread[] threads = new Thread[2];
      for (int i = 0; i < 2; i++) {
        int k = i;
        threads[i] =
            new Thread(
                () -> {
                  try {
                    cost[k] = oneWorker(capture);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        threads[i].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      System.out.printf("two at once: %.0f / %.0f ns of thread CPU a packet%n", cost[0], cost[1]);
    }
  }

  private static double oneWorker(Path capture) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpu0 = threads.getCurrentThreadCpuTime();
    try (PcapFileSource source = PcapFileSource.open(capture)) {
      CaptureAgent.SourceReport report =
          pipeline(1, null, new PipelineCounters()).run(source, "bench", EndReason.END_OF_CAPTURE);
      return (double) (threads.getCurrentThreadCpuTime() - cpu0) / report.packets();
    }
  }
}
