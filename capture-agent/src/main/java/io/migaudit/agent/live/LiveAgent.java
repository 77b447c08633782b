package io.migaudit.agent.live;

import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.metrics.AgentMetrics;
import io.migaudit.agent.publish.FlowPublisher;
import io.migaudit.agent.publish.HeartbeatPublisher;
import io.migaudit.agent.publish.RecordHandOff;
import io.migaudit.agent.source.CaptureBackend;
import io.migaudit.agent.source.LibpcapSource;
import io.migaudit.agent.source.LiveSource;
import io.migaudit.agent.source.Refilterable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live agent service: capture threads per interface (one, or {@link LiveAgentConfig#workers()}
 * in an AF_PACKET fanout group), each a {@link CaptureAgent} with a flow table of its own over a
 * {@link LiveSource} of the chosen {@link CaptureBackend}, all publishing through one {@link
 * FlowPublisher}. {@link #start()} opens the interfaces and starts the threads; {@link #await()}
 * waits for them and flushes the publisher; {@link #close()} (SIGTERM, Ctrl-C) stops the capture
 * loops, each thread then ends its open flows as final records with end reason {@code shutdown},
 * and close returns once they are flushed. One interface failing ends the whole agent (a supervisor
 * restarts it); {@link #health()} says so. Where the backend can change its filter, each thread
 * follows the migrations opened outside it ({@link SignatureFollower}).
 */
public final class LiveAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveAgent.class);

  /** How long a close waits for the final records to be acknowledged by Kafka. */
  private static final long SHUTDOWN_GRACE_SECONDS = 30;

  /** Starts an agent's heartbeats once its interfaces are open. */
  @FunctionalInterface
  public interface Heartbeats {
    HeartbeatPublisher start(List<String> interfaces, LongSupplier packets, LongSupplier records);
  }

  private final LiveAgentConfig config;
  private final FlowPublisher publisher;
  private final AgentMetrics metrics;
  private final Heartbeats heartbeats;
  private final List<PipelineCounters> allCounters = new CopyOnWriteArrayList<>();
  private final List<LiveSource> sources = new CopyOnWriteArrayList<>();

  /**
   * Set by {@link #stop()}, which may come before {@link #start()} has opened every source (a
   * SIGTERM while the agent starts): start then stops what it opened, so capture still ends and
   * {@link #await()} flushes.
   */
  private volatile boolean stopping;

  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final CaptureHealth health = new CaptureHealth();
  private RecordHandOff records;
  private HeartbeatPublisher beats;

  /**
   * An agent publishing through {@code publisher} (which it flushes but does not close), one
   * counter series per interface bound to {@code metrics}; {@code heartbeats} null: none.
   */
  public LiveAgent(
      LiveAgentConfig config,
      FlowPublisher publisher,
      AgentMetrics metrics,
      Heartbeats heartbeats) {
    this.config = config;
    this.publisher = publisher;
    this.metrics = metrics;
    this.heartbeats = heartbeats;
  }

  /** Answers /healthz: false once a capture thread died (with an error, or its source ended). */
  public BooleanSupplier health() {
    return health;
  }

  /** Packets read so far on every interface. */
  public long packets() {
    return allCounters.stream().mapToLong(PipelineCounters::packets).sum();
  }

  /**
   * Opens every interface, then starts the capture threads and the heartbeats. On failure nothing
   * stays open.
   *
   * @throws IOException when an interface cannot be opened or the backend asked for is unusable
   */
  public void start() throws IOException {
    LOG.info("capture filter: {}", config.capture().filter());
    List<List<LiveSource>> perInterface;
    try {
      CaptureBackend backend = backend();
      int workers = workers(backend);
      perInterface = new ArrayList<>();
      for (String iface : config.interfaces()) {
        List<LiveSource> group = open(backend, iface, workers);
        sources.addAll(group);
        perInterface.add(group);
      }
      if (stopping) { // a stop that saw none or only some of these sources
        sources.forEach(LiveSource::stop);
      }
    } catch (IOException | RuntimeException e) {
      sources.forEach(LiveAgent::closeQuietly);
      finished.countDown();
      throw e;
    }
    records = new RecordHandOff(publisher, RecordHandOff.DEFAULT_CAPACITY); // JSON off capture
    if (!sources.isEmpty() && !(sources.get(0) instanceof Refilterable)) {
      LOG.warn(
          "the {} backend cannot widen its filter: a migration stream opened on a port and between"
              + " hosts outside the capture filter is seen only by its first segment"
              + " (the libpcap and pcap4j backends follow it)",
          sources.get(0).backend().wire());
    }
    perInterface.forEach(this::startGroup);
    LOG.warn("capturing on {}", config.interfaces());
    if (heartbeats != null) {
      beats = heartbeats.start(config.interfaces(), this::packets, publisher::sent);
    }
  }

  /**
   * Waits until every capture thread ended (after {@link #close()} or a failure), then flushes the
   * flow records and the publisher and sends a last heartbeat.
   *
   * @throws Exception the failure that stopped a capture thread, if one did
   */
  public void await() throws Exception {
    try {
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
      sources.forEach(LiveAgent::closeQuietly);
      finished.countDown();
    }
  }

  /** Ends every capture loop within one read timeout; {@link #await()} then returns. */
  public void stop() {
    stopping = true;
    health.stopping();
    sources.forEach(LiveSource::stop);
  }

  /**
   * Stops the capture and waits (up to 30 s) until {@link #await()} has flushed the final records;
   * nothing to do once it has.
   */
  @Override
  public void close() {
    if (finished.getCount() == 0) {
      return;
    }
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

  private void startGroup(List<LiveSource> group) {
    PipelineCounters counters = new PipelineCounters();
    allCounters.add(counters);
    metrics.bind(group.get(0).name(), counters);
    for (LiveSource source : group) {
      int i = threads.size();
      PipelineCounters worker = counters.worker();
      worker.captureDrops(source::kernelDrops, source::interfaceDrops);
      CaptureAgent agent =
          new CaptureAgent(CaptureWorkers.perWorker(config.agent(), group.size()), records, worker);
      CaptureAgent.PacketWatcher follower =
          source instanceof Refilterable r ? new SignatureFollower(r, source.name(), worker) : null;
      Thread t =
          new Thread(() -> capture(agent, source, follower), "capture-" + source.name() + "-" + i);
      threads.add(t);
      t.start();
      health.watch(t);
    }
  }

  /**
   * The backend configured (it must be usable here), else the fastest usable one; says which in the
   * log.
   */
  private CaptureBackend backend() throws IOException {
    CaptureBackend asked = config.backend();
    if (asked != null) {
      String problem = asked.unavailable();
      if (problem != null) {
        throw new IOException("capture backend " + asked.wire() + ": " + problem);
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
    int asked = config.workers();
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

  private List<LiveSource> open(CaptureBackend backend, String iface, int workers)
      throws IOException {
    if (workers == 1) {
      return List.of(backend.open(iface, config.capture()));
    }
    return List.copyOf(LibpcapSource.openWorkers(iface, config.capture(), workers));
  }

  private static void closeQuietly(LiveSource source) {
    try {
      source.close();
    } catch (IOException e) {
      LOG.warn("{}: closing the capture: {}", source.name(), e.toString());
    }
  }

  private void capture(CaptureAgent agent, LiveSource source, CaptureAgent.PacketWatcher follower) {
    try {
      agent.run(source, source.name(), EndReason.SHUTDOWN, follower);
    } catch (IOException | RuntimeException e) {
      LOG.error("{}: capture stopped: {}", source.name(), e.toString());
      failure.compareAndSet(null, e);
      health.failed();
      stop(); // one interface failing ends the agent: a supervisor restarts it whole
    }
  }
}
