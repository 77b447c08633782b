package io.migaudit.agent.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.agent.source.CaptureBackend;
import io.migaudit.agent.source.CaptureFilter;
import io.migaudit.agent.source.CaptureScope;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.ForwardingSource;
import io.migaudit.agent.source.LibpcapSource;
import io.migaudit.agent.source.LiveCaptureOptions;
import io.migaudit.agent.source.LiveSource;
import io.migaudit.agent.source.PacketSource;
import io.migaudit.agent.source.Refilterable;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import io.migaudit.record.Signature;
import io.migaudit.testsupport.CiGate;
import io.migaudit.testsupport.DrainedConnection;
import io.migaudit.testsupport.Eventually;
import io.migaudit.testsupport.LoopbackMigration;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A migration moved to a port no catalog lists, to a host the policy does not name, captured live:
 * the agent's filter passes only its opening segment, and the agent then follows the connection.
 * The hypervisor is 127.0.0.1 and the unknown host 127.0.0.9 (both this host's loopback), the
 * capture a real libpcap one on {@code lo}: directly with one worker and with two in a fanout
 * group, and through pcap4j. The migration sends its opening, waits until the capture follows it,
 * then its pages: every page byte must be in its record, and nothing of another connection between
 * the same hosts.
 *
 * <p>Needs root (or CAP_NET_RAW) and libpcap: without them it skips, except under {@code CI=true},
 * where it fails.
 */
class SignatureFollowIT {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final int PAGES_BYTES = 8 << 20;
  private static final String HYPERVISOR = "127.0.0.1";
  private static final String UNKNOWN = "127.0.0.9";
  private static final PortCatalog CATALOG = PortCatalog.builtIn();

  private static final byte[] QEMU_OPENING = LoopbackMigration.qemuOpening();

  @ParameterizedTest(name = "{0}, {1} worker(s)")
  @CsvSource({"LIBPCAP, 1", "LIBPCAP, 2", "PCAP4J, 1"})
  void followsAMigrationOpenedOutsideTheFilterAndNothingElse(CaptureBackend backend, int workers)
      throws Exception {
    CiGate.require(
        "root".equals(System.getProperty("user.name")),
        "live capture on lo needs root (or CAP_NET_RAW)");
    CiGate.requireNoProblem(backend.unavailable());
    if (workers > 1) {
      CiGate.requireNoProblem(LibpcapSource.fanoutUnavailable());
    }
    List<FlowRecord> records = Collections.synchronizedList(new ArrayList<>());
    PipelineCounters counters = new PipelineCounters();
    AtomicLong migrationPayload = new AtomicLong();
    try (ServerSocket migration = LoopbackMigration.unlistedListener(UNKNOWN);
        ServerSocket other = LoopbackMigration.unlistedListener(UNKNOWN)) {
      LiveCaptureOptions options = LiveCaptureOptions.defaults(filter());
      List<LiveSource> sources =
          workers == 1
              ? List.of(backend.open("lo", options))
              : List.copyOf(LibpcapSource.openWorkers("lo", options, workers));
      List<CompletableFuture<Void>> running = new ArrayList<>();
      try {
        for (LiveSource source : sources) {
          running.add(
              capture(
                  source, workers, records::add, counters.worker(), migration, migrationPayload));
        }
        // the same hosts, no migration stream: the filter must keep it out
        send(other, "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), null);
        send(
            migration,
            QEMU_OPENING,
            () ->
                Eventually.until(
                    "the capture following the connection",
                    DEADLINE,
                    () -> counters.connectionsFollowed() >= 1));
        long sent = QEMU_OPENING.length + (long) PAGES_BYTES;
        Eventually.until(
            "the capture reading the " + sent + " bytes the migration sent",
            DEADLINE,
            () -> migrationPayload.get() >= sent);
      } finally {
        sources.forEach(LiveSource::stop);
        for (CompletableFuture<Void> r : running) {
          r.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
        for (LiveSource source : sources) {
          source.close();
        }
      }
      List<FlowRecord> ofMigration =
          records.stream().filter(r -> r.last() && touches(r, migration.getLocalPort())).toList();
      assertThat(ofMigration).as("the migration's final record").hasSize(1);
      FlowRecord last = ofMigration.get(0);
      assertThat(last.payload().signature()).isEqualTo(Signature.QEMU);
      assertThat(last.srcToDst().payloadBytes())
          .as("the migration's pages, captured after its opening (and any segment sent twice)")
          .isGreaterThanOrEqualTo(QEMU_OPENING.length + (long) PAGES_BYTES);
      assertThat(records)
          .as("records of the other connection between the same hosts")
          .noneMatch(r -> touches(r, other.getLocalPort()));
      assertThat(counters.connectionsFollowed()).isEqualTo(1);
      assertThat(counters.followsRefused()).isZero();
    }
  }

  /**
   * Runs a capture agent with a follower over {@code source} on a thread of its own; {@code
   * payload} adds up the payload bytes read to the migration's port.
   */
  private static CompletableFuture<Void> capture(
      LiveSource source,
      int workers,
      FlowRecordSink sink,
      PipelineCounters counters,
      ServerSocket migration,
      AtomicLong payload) {
    PacketSource counting =
        new ForwardingSource(source) {
          private final PacketDecoder decoder = new PacketDecoder();
          private final DecodedPacket decoded = new DecodedPacket();

          @Override
          public boolean next(CapturedPacket into) throws IOException {
            boolean more = inner.next(into);
            if (more
                && decoder.decode(into, decoded) == DecodeIssue.NONE
                && decoded.dstPort == migration.getLocalPort()) {
              payload.addAndGet(decoded.payloadWireLength);
            }
            return more;
          }
        };
    CaptureAgent agent =
        new CaptureAgent(
            CaptureWorkers.perWorker(AgentConfig.defaults("signature-follow-it"), workers),
            sink,
            counters);
    SignatureFollower follower = new SignatureFollower((Refilterable) source, "lo", counters);
    return CompletableFuture.runAsync(
        () -> {
          try {
            agent.run(counting, "lo", EndReason.SHUTDOWN, follower);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        SignatureFollowIT::thread);
  }

  private static String filter() {
    return CaptureFilter.of(
        CATALOG, new CaptureScope(List.of(), List.of(HYPERVISOR, "127.0.0.2")), null);
  }

  private static boolean touches(FlowRecord r, int port) {
    return r.srcPort() == port || r.dstPort() == port;
  }

  /**
   * Sends {@code opening} from the hypervisor to {@code server}, then (after {@code between}, when
   * given) {@link #PAGES_BYTES} of plaintext pages.
   */
  private static void send(ServerSocket server, byte[] opening, Runnable between) throws Exception {
    CompletableFuture<Long> received = DrainedConnection.accept(server, "signature-follow-it");
    try (Socket out = LoopbackMigration.unlistedClient(HYPERVISOR)) {
      out.connect(server.getLocalSocketAddress());
      OutputStream s = out.getOutputStream();
      s.write(opening);
      s.flush();
      if (between != null) {
        between.run();
      }
      LoopbackMigration.writePages(s, PAGES_BYTES);
    }
    assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo((long) opening.length + PAGES_BYTES);
  }

  private static void thread(Runnable task) {
    Thread t = new Thread(task, "signature-follow-it");
    t.setDaemon(true);
    t.start();
  }
}
