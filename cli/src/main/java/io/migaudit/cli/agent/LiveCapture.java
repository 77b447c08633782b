package io.migaudit.cli.agent;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.metrics.AgentMetrics;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.HeartbeatPublisher;
import io.migaudit.agent.publish.RecordHandOff;
import io.migaudit.agent.source.CaptureBackend;
import io.migaudit.agent.source.CaptureFilter;
import io.migaudit.agent.source.LibpcapSource;
import io.migaudit.agent.source.LiveCaptureOptions;
import io.migaudit.agent.source.LiveSource;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.cli.common.UserError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The agent's live path: capture threads per interface (one, or {@code --workers} in an AF_PACKET
 * fanout group), each a {@link CaptureAgent} with a flow table of its own over a {@link LiveSource}
 * of the chosen {@link CaptureBackend}, all publishing through one {@link FlowPublisher}. SIGTERM
 * or Ctrl-C stops the capture loops; each thread then ends its open flows as final records with end
 * reason {@code shutdown}, and the publisher is flushed before the JVM exits.
 */
public final class LiveCapture {
  private static final Logger LOG = LoggerFactory.getLogger(LiveCapture.class);

  /** How long a shutdown waits for the final records to be acknowledged by Kafka. */
  private static final long SHUTDOWN_GRACE_SECONDS = 30;

  /**
   * The live-capture options of {@code migaudit agent} (a picocli mixin). Null means "not given on
   * the command line": the {@code --config} file's value, else the default, applies.
   */
  static final class Options {
    @Option(
        names = "--interface",
        paramLabel = "NAME",
        description = {
          "Capture live on this interface (repeatable: one capture thread each; `any` = all",
          "interfaces, as Linux cooked capture). Needs root or CAP_NET_RAW and libpcap (Npcap on Windows)."
        })
    List<String> interfaces;

    @Option(
        names = "--snaplen",
        paramLabel = "BYTES",
        description =
            "Bytes kept of each frame (default: " + LiveCaptureOptions.DEFAULT_SNAPLEN_BYTES + ").")
    Integer snaplenBytes;

    @Option(
        names = "--promiscuous",
        negatable = true,
        description =
            "Put the interfaces in promiscuous mode, as mirror and SPAN ports need (default: on; --no-promiscuous).")
    Boolean promiscuous;

    @Option(
        names = "--buffer-size",
        paramLabel = "BYTES",
        description =
            "Kernel capture buffer per interface (default: "
                + LiveCaptureOptions.DEFAULT_BUFFER_BYTES
                + "); raise it when kernel drops show up.")
    Integer bufferBytes;

    @Option(
        names = "--bpf-extra",
        paramLabel = "EXPR",
        description = {
          "pcap-filter expression ORed with the built-in filter (migration ports, ESP, Kerberos,",
          "GRE/ERSPAN, VXLAN, Geneve), e.g. \"net 192.168.50.0/24\" to see all traffic on a migration segment."
        })
    String bpfExtra;

    @Option(
        names = "--policy",
        paramLabel = "FILE",
        description = {
          "The analyzer's policy file: the capture also takes all traffic inside its migrationNetworks",
          "(other traffic on a migration segment) and all TCP between its trustedHosts (migrations on any port)."
        })
    Path policy;

    @Option(
        names = "--capture-backend",
        paramLabel = "libpcap|tcpdump|pcap4j",
        converter = BackendConverter.class,
        description = {
          "How frames are read: libpcap (called directly, nothing allocated per frame; fastest),",
          "tcpdump (a tcpdump child streams pcap to the agent: capture privileges stay with tcpdump),",
          "pcap4j (portable, e.g. Windows with Npcap; about 25x slower than libpcap).",
          "Default: libpcap where it works (64-bit Linux, macOS), else pcap4j."
        })
    CaptureBackend backend;

    @Option(
        names = "--workers",
        paramLabel = "N",
        description = {
          "Capture workers, each with a flow table of its own (default: cores - 1, at least 1).",
          "Live (libpcap backend, Linux): N captures per interface in one AF_PACKET fanout group, the",
          "kernel keeping both directions of a flow on one worker; tcpdump and pcap4j read with one.",
          "--read: a reader thread hands each flow's frames to one of N workers."
        })
    Integer workers;
  }

  /** Lowercase backend names on the command line, with the choices in the error. */
  public static final class BackendConverter implements CommandLine.ITypeConverter<CaptureBackend> {
    @Override
    public CaptureBackend convert(String value) {
      try {
        return CaptureBackend.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  private final AgentSettings settings;
  private final List<PipelineCounters> allCounters =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Starts an agent's heartbeats once its interfaces are open. */
  @FunctionalInterface
  interface Heartbeats {
    HeartbeatPublisher start(
        List<String> interfaces,
        java.util.function.LongSupplier packets,
        java.util.function.LongSupplier records);
  }

  private final List<LiveSource> sources = new CopyOnWriteArrayList<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final CaptureHealth health = new CaptureHealth();

  LiveCapture(AgentSettings settings) {
    this.settings = settings;
  }

  /** Answers /healthz: false once a capture thread died (with an error, or its source ended). */
  BooleanSupplier health() {
    return health;
  }

  /**
   * The capture options; with a policy, its ports, networks and hypervisor hosts widen the filter.
   */
  private LiveCaptureOptions capture(AgentConfig config) throws UserError {
    String filter;
    if (settings.policy() == null) {
      filter = CaptureFilter.of(config.catalog(), settings.bpfExtra());
    } else {
      Policy policy = PolicyScope.load(settings.policy());
      filter =
          CaptureFilter.of(
              config.catalog().with(policy.catalog().entries()),
              PolicyScope.of(policy),
              settings.bpfExtra());
    }
    return new LiveCaptureOptions(
        settings.snaplen(),
        settings.promiscuous(),
        settings.bufferSize(),
        false,
        LiveCaptureOptions.DEFAULT_READ_TIMEOUT,
        filter);
  }

  /**
   * Captures until SIGTERM/Ctrl-C (or a capture fails), then flushes every flow and the publisher.
   */
  void run(AgentConfig config, FlowPublisher publisher, AgentMetrics metrics) throws Exception {
    run(config, publisher, metrics, null);
  }

  /** As above, publishing heartbeats through {@code heartbeats} (null: none) while it captures. */
  void run(AgentConfig config, FlowPublisher publisher, AgentMetrics metrics, Heartbeats heartbeats)
      throws Exception {
    LiveCaptureOptions capture = capture(config);
    LOG.info("capture filter: {}", capture.filter());
    CaptureBackend backend = backend();
    Thread hook = new Thread(this::shutdown, "migaudit-agent-shutdown");
    RecordHandOff records =
        new RecordHandOff(
            publisher, RecordHandOff.DEFAULT_CAPACITY); // JSON off the capture threads
    try {
      int workers = workers(backend);
      List<List<LiveSource>> perInterface = new ArrayList<>();
      for (String iface : settings.interfaces()) {
        List<LiveSource> group = open(backend, iface, capture, workers);
        sources.addAll(group);
        perInterface.add(group);
      }
      Runtime.getRuntime().addShutdownHook(hook);
      AtomicReference<Exception> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (List<LiveSource> group : perInterface) {
        PipelineCounters counters = new PipelineCounters();
        allCounters.add(counters);
        metrics.bind(group.get(0).name(), counters);
        for (LiveSource source : group) {
          int i = threads.size();
          PipelineCounters worker = counters.worker();
          worker.captureDrops(source::kernelDrops, source::interfaceDrops);
          CaptureAgent agent =
              new CaptureAgent(CaptureWorkers.perWorker(config, group.size()), records, worker);
          Thread t =
              new Thread(
                  () -> capture(agent, source, failure), "capture-" + source.name() + "-" + i);
          threads.add(t);
          t.start();
          health.watch(t);
        }
      }
      LOG.warn("capturing on {}", settings.interfaces());
      HeartbeatPublisher beats =
          heartbeats == null
              ? null
              : heartbeats.start(
                  settings.interfaces(),
                  () -> allCounters.stream().mapToLong(PipelineCounters::packets).sum(),
                  publisher::sent);
      for (Thread t : threads) {
        t.join();
      }
      records.close();
      publisher.flush();
      if (beats != null) {
        beats.close(); // the last heartbeat says when capture stopped, with every record counted
      }
      LOG.warn("capture stopped; {} flow records published", publisher.sent());
      if (failure.get() != null) {
        throw failure.get();
      }
    } finally {
      try {
        records.close();
      } catch (RuntimeException e) {
        LOG.warn("flow records after a publisher failure: {}", e.toString());
      }
      sources.forEach(LiveCapture::closeQuietly);
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook is running and waits for this method
      }
    }
  }

  /**
   * The backend asked for (it must be usable here), else the fastest usable one; says which in the
   * log.
   */
  private CaptureBackend backend() throws UserError {
    CaptureBackend asked = settings.captureBackend();
    if (asked != null) {
      String problem = asked.unavailable();
      if (problem != null) {
        throw new UserError("--capture-backend " + asked.wire() + ": " + problem);
      }
      LOG.warn("capture backend: {} (as configured)", asked.wire());
      return asked;
    }
    CaptureBackend best = CaptureBackend.best();
    String why =
        best == CaptureBackend.LIBPCAP
            ? "the fastest"
            : "libpcap backend unusable: " + CaptureBackend.LIBPCAP.unavailable();
    LOG.warn("capture backend: {} ({}; --capture-backend chooses another)", best.wire(), why);
    return best;
  }

  /** Workers per interface: as configured where the backend can share an interface, else one. */
  private int workers(CaptureBackend backend) {
    int asked = settings.workers();
    if (asked == 1) {
      return 1;
    }
    String problem =
        backend == CaptureBackend.LIBPCAP
            ? LibpcapSource.fanoutUnavailable()
            : "the " + backend.wire() + " backend reads an interface with one worker";
    if (problem != null) {
      LOG.warn("capture workers: 1 per interface, not {} ({})", asked, problem);
      return 1;
    }
    LOG.warn("capture workers: {} per interface in an AF_PACKET fanout group (--workers)", asked);
    return asked;
  }

  private static List<LiveSource> open(
      CaptureBackend backend, String iface, LiveCaptureOptions capture, int workers)
      throws UserError {
    try {
      if (workers == 1) {
        return List.of(backend.open(iface, capture));
      }
      return List.copyOf(LibpcapSource.openWorkers(iface, capture, workers));
    } catch (IOException e) {
      throw new UserError(e.getMessage(), e);
    }
  }

  private static void closeQuietly(LiveSource source) {
    try {
      source.close();
    } catch (IOException e) {
      LOG.warn("{}: closing the capture: {}", source.name(), e.toString());
    }
  }

  private void capture(CaptureAgent agent, LiveSource source, AtomicReference<Exception> failure) {
    try {
      agent.run(source, source.name(), EndReason.SHUTDOWN);
    } catch (IOException | RuntimeException e) {
      LOG.error("{}: capture stopped: {}", source.name(), e.toString());
      failure.compareAndSet(null, e);
      health.failed();
      stop(); // one interface failing ends the agent: a supervisor restarts it whole
    }
  }

  /** Ends every capture loop within one read timeout. */
  void stop() {
    health.stopping();
    sources.forEach(LiveSource::stop);
  }

  private void shutdown() {
    LOG.warn("stopping capture: flushing open flows as final records");
    stop();
    try {
      if (!finished.await(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS)) {
        LOG.error("final records not flushed within {} s", SHUTDOWN_GRACE_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
