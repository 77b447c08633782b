package io.migaudit.agent.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.testbed.VethBed;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.Counters;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import io.migaudit.record.RuleId;
import io.migaudit.record.Verdict;
import io.migaudit.testsupport.CiGate;
import io.migaudit.testsupport.Eventually;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * Live capture end to end on a real kernel: a veth pair with one end in a network namespace of its
 * own, each {@link CaptureBackend} in turn on the other end, the sample captures replayed into the
 * namespace's end with tcpreplay. The flow records from the wire must be the ones the offline
 * replay of the same files (through the same BPF filter) gives: same 5-tuples, VLAN, encapsulation,
 * protocol, counters, TCP flags and verdict; only times and end reasons differ.
 *
 * <p>Needs root, {@code ip} (iproute2), {@code tcpreplay} and libpcap: without them it skips,
 * saying which is missing, except under {@code CI=true}, where it fails.
 */
class LiveCaptureIT {
  private static final List<Path> SAMPLES =
      List.of(
          Path.of("../samples/vmotion-plaintext/capture.pcap"),
          Path.of("../samples/untrusted-source/capture.pcap"),
          // Integrity-only MACsec frames must pass the kernel's filter; encrypted ones must not
          // (CaptureFilterTest), so both go on the wire.
          Path.of("../samples/qemu-macsec-integrity-only/capture.pcap"),
          Path.of("../samples/qemu-macsec-encrypted/capture.pcap"));
  private static final Path UNLISTED_PORT = Path.of("../samples/qemu-unlisted-port/capture.pcap");
  private static final Path OPENVPN_CLEARTEXT =
      Path.of("../samples/openvpn-cleartext-plaintext/capture.pcap");
  private static final Path SHARED_SEGMENT =
      Path.of("../samples/shared-migration-vlan/capture.pcap");
  private static final Duration CAPTURE_DEADLINE = Duration.ofSeconds(60);

  /**
   * A TLS migration on VLAN 10 (its 5-tuple is the other samples' but its VLAN is not), cut after
   * its handshake and first data: still open when the capture stops, so its final record is the one
   * stopping makes.
   */
  private static final Path STILL_OPEN = Path.of("../samples/migration-on-wrong-vlan/capture.pcap");

  private static final int STILL_OPEN_PACKETS = 16;

  /** pcap's file header, and each record's header with its captured length at byte 8. */
  private static final int PCAP_HEADER_BYTES = 24;

  private static final int RECORD_HEADER_BYTES = 16;
  private static final int CAPTURED_LENGTH_AT = 8;

  @TempDir Path tmp;

  private final String bedName = "ma-lc-" + ProcessHandle.current().pid();

  /** The projection both paths must agree on. */
  record Seen(
      String transport,
      String src,
      int srcPort,
      String dst,
      int dstPort,
      Integer vlan,
      Integer vni,
      List<String> encapsulation,
      String protocol,
      String initiator,
      Object srcToDst,
      Object dstToSrc,
      List<String> tcpFlags,
      Object verdict) {
    static Seen of(FlowRecord r) {
      return new Seen(
          r.transport(),
          r.src(),
          r.srcPort(),
          r.dst(),
          r.dstPort(),
          r.vlan(),
          r.vni(),
          r.encapsulation(),
          r.protocol(),
          r.initiator(),
          r.srcToDst(),
          r.dstToSrc(),
          r.tcpFlags(),
          r.payload().verdict());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(CaptureBackend.class)
  void liveCaptureGivesTheRecordsOfTheOfflineReplay(CaptureBackend backend) throws Exception {
    VethBed.requirePrerequisites();
    CiGate.requireNoProblem(backend.unavailable());
    String filter = CaptureFilter.of(PortCatalog.builtIn(), null);
    List<Path> samples = new ArrayList<>(SAMPLES);
    samples.add(firstPackets(STILL_OPEN, STILL_OPEN_PACKETS, tmp.resolve("still-open.pcap")));
    List<Seen> offline = offline(filter, samples);
    assertThat(offline)
        .as("offline records: the samples tagged VLAN 50, and the open one on VLAN 10")
        .hasSizeGreaterThanOrEqualTo(3)
        .extracting(Seen::vlan)
        .contains(50, 10);
    assertThat(offline)
        .as("the QEMU migration inside integrity-only MACsec frames, the only flow in them")
        .filteredOn(r -> r.encapsulation().contains("macsec"))
        .extracting(Seen::dstPort, Seen::verdict)
        .containsExactly(Tuple.tuple(49152, Verdict.PLAINTEXT));
    List<FlowRecord> records = captureLive(backend, filter, samples);
    assertThat(records)
        .as("the flow still open when the capture stopped ends as stopping ends it")
        .filteredOn(r -> r.last() && Integer.valueOf(10).equals(r.vlan()))
        .extracting(FlowRecord::endReason)
        .containsExactly(EndReason.SHUTDOWN.wire());
    List<Seen> live = records.stream().filter(FlowRecord::last).map(Seen::of).toList();
    assertThat(records)
        .filteredOn(FlowRecord::last)
        .extracting(FlowRecord::endReason)
        .isSubsetOf(
            EndReason.SHUTDOWN.wire(),
            EndReason.FIN.wire(),
            EndReason.RST.wire(),
            EndReason.IDLE.wire());
    assertThat(live).containsExactlyInAnyOrderElementsOf(offline);
  }

  /**
   * A plaintext migration through an OpenVPN tunnel without a key between two hypervisors'
   * management addresses (UDP 1194): the catalog-only filter passes none of it; the filter scoped
   * by samples/policy.yaml passes UDP between the hypervisors, and the migration inside is judged
   * unencrypted, its tunnel outside the migration networks.
   */
  @Test
  void migrationInAUdpTunnelBetweenHypervisorsIsCapturedWithThePolicyScope() throws Exception {
    VethBed.requirePrerequisites();
    CaptureBackend backend = CaptureBackend.best();
    CiGate.requireNoProblem(backend.unavailable());
    Policy policy = PolicyLoader.load(Path.of("../samples/policy.yaml"));
    String scoped = CaptureFilter.of(PortCatalog.builtIn(), scopeOf(policy), null);
    assertThat(offline(CaptureFilter.of(PortCatalog.builtIn(), null), List.of(OPENVPN_CLEARTEXT)))
        .as("catalog-only filter")
        .isEmpty();
    List<Seen> offline = offline(scoped, List.of(OPENVPN_CLEARTEXT));
    assertThat(offline)
        .extracting(Seen::encapsulation, Seen::dstPort, Seen::verdict)
        .containsExactly(
            Tuple.tuple(List.of("ethernet", "ipv4", "udp-tunnel"), 8000, Verdict.PLAINTEXT));

    List<FlowRecord> records = captureLive(backend, scoped, List.of(OPENVPN_CLEARTEXT));
    assertThat(records.stream().filter(FlowRecord::last).map(Seen::of).toList())
        .containsExactlyInAnyOrderElementsOf(offline);
    List<Alert> alerts = alertsOf(policy, records);
    assertThat(alerts)
        .extracting(Alert::rule)
        .contains(RuleId.UNENCRYPTED_MIGRATION, RuleId.NON_DEDICATED_SEGMENT);
  }

  /**
   * A QEMU migration's memory written by RDMA (RoCEv2) between two hypervisors on their migration
   * VLAN, with four forged packets of random bytes and a wrong ICRC before each real one: the
   * catalog-only filter passes none of it (no catalog lists UDP 4791); the filter scoped by
   * samples/policy.yaml passes it, the live records are the offline replay's (one {@code rocev2}
   * flow, the forged packets dropped on both paths), and the rules judge the pages unencrypted.
   */
  @Test
  void rdmaBetweenHypervisorsIsCapturedWithThePolicyScopeAndForgedPacketsAreDropped()
      throws Exception {
    VethBed.requirePrerequisites();
    CaptureBackend backend = CaptureBackend.best();
    CiGate.requireNoProblem(backend.unavailable());
    Policy policy = PolicyLoader.load(Path.of("../samples/policy.yaml"));
    String scoped = CaptureFilter.of(PortCatalog.builtIn(), scopeOf(policy), null);
    Path rdma = Path.of("../samples/qemu-rdma-forged-icrc/capture.pcap");
    assertThat(offline(CaptureFilter.of(PortCatalog.builtIn(), null), List.of(rdma)))
        .as("catalog-only filter")
        .isEmpty();
    List<Seen> offline = offline(scoped, List.of(rdma));
    assertThat(offline)
        .extracting(Seen::transport, Seen::srcPort, Seen::dstPort, Seen::vlan, Seen::verdict)
        .containsExactly(Tuple.tuple("rocev2", 4791, 4791, 50, Verdict.PLAINTEXT));

    List<FlowRecord> records = captureLive(backend, scoped, List.of(rdma));
    assertThat(records.stream().filter(FlowRecord::last).map(Seen::of).toList())
        .containsExactlyInAnyOrderElementsOf(offline);
    List<Alert> alerts = alertsOf(policy, records);
    assertThat(alerts).extracting(Alert::rule).containsOnly(RuleId.UNENCRYPTED_MIGRATION);
  }

  /**
   * Real QEMU migrations in a kernel VXLAN overlay, one in the policy's segment (VNI 5000, its
   * underlay fragmenting the first full-size datagrams) and one leaked onto VNI 6000: the
   * catalog-only filter passes VXLAN, the live records are the offline replay's with their VNIs,
   * and the rules find the leaked one outside its segment. The filter keeps IP fragments, so the
   * agent puts the fragmented datagrams back together on both paths: no flow of bare fragments.
   */
  @Test
  void migrationsInAVxlanOverlayAreCapturedWithTheirSegments() throws Exception {
    VethBed.requirePrerequisites();
    CaptureBackend backend = CaptureBackend.best();
    CiGate.requireNoProblem(backend.unavailable());
    Policy policy = PolicyLoader.load(Path.of("../samples/policy.yaml"));
    String filter = CaptureFilter.of(PortCatalog.builtIn(), null);
    List<Path> overlay =
        List.of(
            Path.of("../samples/qemu-vxlan-fragmented/capture.pcap"),
            Path.of("../samples/qemu-vxlan-wrong-vni/capture.pcap"));
    List<Seen> offline = offline(filter, overlay);
    assertThat(offline)
        .extracting(Seen::dstPort, Seen::vni, Seen::verdict)
        .containsExactlyInAnyOrder(
            Tuple.tuple(49152, 5000, Verdict.PLAINTEXT),
            Tuple.tuple(49152, 6000, Verdict.PLAINTEXT));

    List<FlowRecord> records = captureLive(backend, filter, overlay);
    assertThat(records.stream().filter(FlowRecord::last).map(Seen::of).toList())
        .containsExactlyInAnyOrderElementsOf(offline);
    List<Alert> alerts = alertsOf(policy, records);
    assertThat(alerts)
        .filteredOn(a -> a.rule() == RuleId.NON_DEDICATED_SEGMENT)
        .extracting(a -> a.evidence().get("vni"))
        .containsOnly(6000)
        .isNotEmpty();
    assertThat(alerts)
        .extracting(Alert::rule)
        .containsOnly(RuleId.UNENCRYPTED_MIGRATION, RuleId.NON_DEDICATED_SEGMENT);
  }

  /**
   * Migrations in IP fragments, live: a real QEMU migration whose full-size segments a real Linux
   * router cut in two, and a vMotion stream whose middle pieces each follow a forged one at the
   * same offset. The catalog-only filter passes the later fragments; the agent puts the routed
   * migration back together (one flow) and judges the forged packets piece by piece (the connection
   * and a flow of bare fragments), live as offline.
   */
  @Test
  void migrationsInIpFragmentsArePutBackTogetherLive() throws Exception {
    VethBed.requirePrerequisites();
    CaptureBackend backend = CaptureBackend.best();
    CiGate.requireNoProblem(backend.unavailable());
    String filter = CaptureFilter.of(PortCatalog.builtIn(), null);
    List<Path> fragmented =
        List.of(
            Path.of("../samples/qemu-routed-fragmented/capture.pcap"),
            Path.of("../samples/fragment-overlap-plaintext/capture.pcap"));
    List<Seen> offline = offline(filter, fragmented);
    assertThat(offline)
        .extracting(Seen::dstPort, Seen::verdict)
        .containsExactlyInAnyOrder(
            Tuple.tuple(49152, Verdict.PLAINTEXT),
            Tuple.tuple(8000, Verdict.PLAINTEXT),
            Tuple.tuple(0, Verdict.PLAINTEXT));

    List<FlowRecord> records = captureLive(backend, filter, fragmented);
    assertThat(records.stream().filter(FlowRecord::last).map(Seen::of).toList())
        .containsExactlyInAnyOrderElementsOf(offline);
  }

  /**
   * A QEMU migration across an MPLS core, routed in an L3VPN and bridged in an Ethernet pseudowire:
   * the filter with the extra expression README.md gives for provider links lets the labelled
   * frames through, and the live records are the offline replay's, both read under the labels.
   */
  @Test
  void migrationsUnderMplsLabelsAreCapturedWithTheReadmesExtraExpression() throws Exception {
    VethBed.requirePrerequisites();
    CiGate.requireNoProblem(CaptureBackend.LIBPCAP.unavailable());
    String filter =
        CaptureFilter.of(PortCatalog.builtIn(), "ether proto 0x8847 or ether proto 0x8848");
    List<Path> samples =
        List.of(
            Path.of("../samples/qemu-mpls-l3vpn/capture.pcap"),
            Path.of("../samples/qemu-mpls-pseudowire/capture.pcap"));
    List<Seen> offline = offline(filter, samples);
    assertThat(offline)
        .as("one plaintext QEMU migration under labels, routed (no VLAN) and bridged (VLAN 50)")
        .extracting(Seen::encapsulation, Seen::vlan, Seen::dstPort, Seen::verdict)
        .containsExactlyInAnyOrder(
            Tuple.tuple(List.of("ethernet", "mpls"), null, 49152, Verdict.PLAINTEXT),
            Tuple.tuple(
                List.of("ethernet", "mpls", "ethernet", "vlan"), 50, 49152, Verdict.PLAINTEXT));
    List<Seen> live =
        captureLive(CaptureBackend.LIBPCAP, filter, samples).stream()
            .filter(FlowRecord::last)
            .map(Seen::of)
            .toList();
    assertThat(live).containsExactlyInAnyOrderElementsOf(offline);
  }

  /**
   * A plaintext QEMU migration to TCP 5000 (a port no catalog lists) between two policy hosts: the
   * catalog-only filter never lets it through; the filter scoped by samples/policy.yaml does, and
   * the analyzer's rules raise UNENCRYPTED_MIGRATION on the live records, and
   * SHARED_MIGRATION_SEGMENT on other traffic of the migration network.
   */
  @Test
  void migrationOnAnUnlistedPortIsCapturedWithThePolicyScopeAndJudgedUnencrypted()
      throws Exception {
    VethBed.requirePrerequisites();
    CaptureBackend backend = CaptureBackend.best();
    CiGate.requireNoProblem(backend.unavailable());
    Policy policy = PolicyLoader.load(Path.of("../samples/policy.yaml"));
    String catalogOnly = CaptureFilter.of(PortCatalog.builtIn(), null);
    String scoped = CaptureFilter.of(PortCatalog.builtIn(), scopeOf(policy), null);
    assertThat(offline(catalogOnly, List.of(UNLISTED_PORT)))
        .as("catalog-only filter: of the 5000 flow, only the segment that opens its stream")
        .singleElement()
        .satisfies(
            s -> {
              assertThat(((Counters) s.srcToDst()).packets()).isEqualTo(1);
              assertThat(((Counters) s.dstToSrc()).packets()).isZero();
            });

    List<FlowRecord> records = captureLive(backend, scoped, List.of(UNLISTED_PORT, SHARED_SEGMENT));
    List<Alert> alerts = alertsOf(policy, records);
    assertThat(alerts)
        .filteredOn(a -> a.rule() == RuleId.UNENCRYPTED_MIGRATION)
        .extracting(Alert::protocol, Alert::dstPort)
        .containsExactly(Tuple.tuple("qemu", 5000));
    assertThat(alerts)
        .extracting(Alert::rule)
        .containsExactlyInAnyOrder(RuleId.UNENCRYPTED_MIGRATION, RuleId.SHARED_MIGRATION_SEGMENT);
  }

  /** What the analyzer's rules raise on {@code records}, in order. */
  private static List<Alert> alertsOf(Policy policy, List<FlowRecord> records) {
    RuleEngine engine = new RuleEngine(policy);
    List<Alert> alerts = new ArrayList<>();
    for (FlowRecord r : records) {
      alerts.addAll(engine.evaluate(r).alerts());
    }
    return alerts;
  }

  /** The policy's networks and hypervisor hosts, as the agent's --policy learns them. */
  private static CaptureScope scopeOf(Policy policy) {
    List<List<String>> networks =
        policy.migrationNetworks().stream()
            .map(n -> n.cidrs().stream().map(Object::toString).toList())
            .toList();
    List<String> hosts = policy.trustedHosts().stream().map(Object::toString).toList();
    return new CaptureScope(networks, hosts);
  }

  /** Replays {@code samples} onto a veth pair and returns every record the live capture made. */
  private List<FlowRecord> captureLive(CaptureBackend backend, String filter, List<Path> samples)
      throws Exception {
    long expectedFrames = framesPassing(filter, samples);
    try (VethBed bed = VethBed.create(bedName)) {
      String captureEnd = bed.captureEnd();
      List<FlowRecord> records = Collections.synchronizedList(new ArrayList<>());
      PipelineCounters counters = new PipelineCounters();
      CaptureAgent agent =
          new CaptureAgent(AgentConfig.defaults("live-it"), records::add, counters);
      try (LiveSource source = backend.open(captureEnd, LiveCaptureOptions.defaults(filter))) {
        counters.captureDrops(source::kernelDrops, source::interfaceDrops);
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread capture =
            new Thread(
                () -> {
                  try {
                    agent.run(source, captureEnd, EndReason.SHUTDOWN);
                  } catch (IOException | RuntimeException e) {
                    failure.set(e);
                  }
                },
                "live-it-capture-" + backend.wire());
        capture.start();
        bed.replay(List.of("--topspeed"), samples);
        Eventually.until(
            expectedFrames + " frames captured live",
            CAPTURE_DEADLINE,
            () -> counters.packets() >= expectedFrames);
        source.stop();
        capture.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(capture.isAlive()).as("capture thread stopped").isFalse();
        assertThat(failure.get()).as("what stopped the capture thread, if not its source").isNull();
        assertThat(counters.packets()).as("frames captured live").isEqualTo(expectedFrames);
        assertThat(counters.dropped(PipelineCounters.KERNEL)).as("kernel drops").isZero();
      }
      return new ArrayList<>(records);
    }
  }

  private static List<Seen> offline(String filter, List<Path> samples) throws Exception {
    List<FlowRecord> records = new ArrayList<>();
    CaptureAgent agent =
        new CaptureAgent(AgentConfig.defaults("offline"), records::add, new PipelineCounters());
    BpfProgram program = compile(filter);
    try {
      for (Path sample : samples) {
        try (PacketSource source = new Filtered(PcapFileSource.open(sample), program)) {
          agent.run(source, sample.toString(), EndReason.SHUTDOWN);
        }
      }
    } finally {
      program.free();
    }
    return records.stream().filter(FlowRecord::last).map(Seen::of).toList();
  }

  /** The first {@code packets} packets of a pcap (microsecond or nanosecond, either byte order). */
  private static Path firstPackets(Path pcap, int packets, Path out) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(pcap));
    int magic = in.getInt(0);
    in.order(
        magic == 0xA1B2C3D4 || magic == 0xA1B23C4D
            ? ByteOrder.BIG_ENDIAN
            : ByteOrder.LITTLE_ENDIAN);
    int end = PCAP_HEADER_BYTES;
    for (int i = 0; i < packets && end < in.limit(); i++) {
      end += RECORD_HEADER_BYTES + in.getInt(end + CAPTURED_LENGTH_AT);
    }
    Files.write(out, Arrays.copyOf(in.array(), end));
    return out;
  }

  private static long framesPassing(String filter, List<Path> samples) throws Exception {
    BpfProgram program = compile(filter);
    long n = 0;
    try {
      for (Path sample : samples) {
        try (PacketSource source = new Filtered(PcapFileSource.open(sample), program)) {
          CapturedPacket p = new CapturedPacket();
          while (source.next(p)) {
            n++;
          }
        }
      }
    } finally {
      program.free();
    }
    return n;
  }

  private static BpfProgram compile(String filter) throws Exception {
    return Pcaps.compileFilter(
        65535,
        DataLinkType.EN10MB,
        filter,
        BpfCompileMode.OPTIMIZE,
        (Inet4Address) InetAddress.getByName("255.255.255.255"));
  }

  /** A capture file read through the kernel's filter, as the live capture sees it. */
  private static final class Filtered extends ForwardingSource {
    private final BpfProgram program;

    Filtered(PcapFileSource source, BpfProgram program) {
      super(source);
      this.program = program;
    }

    @Override
    public boolean next(CapturedPacket into) throws IOException {
      while (inner.next(into)) {
        byte[] frame = new byte[into.capturedLength()];
        into.data.get(0, frame);
        if (program.applyFilter(frame)) {
          return true;
        }
      }
      return false;
    }
  }
}
