package io.migaudit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.flow.FlowTableConfig;
import io.migaudit.agent.metrics.AgentMetrics;
import io.migaudit.agent.source.CaptureBytes;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.record.PortCatalog;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineCountersTest {

  private static DecodedPacket syn(int port) {
    DecodedPacket p = new DecodedPacket();
    p.reset();
    p.timestampMicros = 1_700_000_000_000_000L + port;
    p.ipVersion = 4;
    p.srcLo = 0x0A000001L;
    p.dstLo = 0x0A000002L;
    p.ipProtocol = 6;
    p.srcPort = port;
    p.dstPort = 8000;
    p.tcpFlags = 0x02;
    p.ipLength = 40;
    return p;
  }

  /** migaudit_agent_flows_active follows the flow tables of every bound pipeline. */
  @Test
  void activeFlowsGaugeSumsTheTablesOfBoundPipelines() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AgentMetrics metrics = new AgentMetrics(registry);
    PipelineCounters a = new PipelineCounters();
    PipelineCounters b = new PipelineCounters();
    metrics.bind("eth0", a);
    metrics.bind("eth1", b);
    FlowTable ta =
        new FlowTable(
            FlowTableConfig.defaults(), PortCatalog.builtIn(), "t", "eth0", r -> {}, 1024, 512);
    FlowTable tb =
        new FlowTable(
            FlowTableConfig.defaults(), PortCatalog.builtIn(), "t", "eth1", r -> {}, 1024, 512);
    a.table(ta);
    b.table(tb);
    for (int port = 40000; port < 40003; port++) {
      ta.offer(syn(port));
    }
    tb.offer(syn(50000));
    assertThat(registry.get(AgentMetrics.FLOWS_ACTIVE).gauge().value()).isEqualTo(4.0);
    ta.flush(EndReason.END_OF_CAPTURE);
    assertThat(registry.get(AgentMetrics.FLOWS_ACTIVE).gauge().value()).isEqualTo(1.0);
  }

  /**
   * Flows that went on a connection after a close not honoured are counted, and exposed
   * (migaudit_agent_flows_continued_total), over one table or three workers' tables.
   */
  @Test
  void continuedFlowsAreCountedAndExposed() throws Exception {
    Path churn = Path.of("../samples/insertion-churn-plaintext/capture.pcap");
    PipelineCounters one = new PipelineCounters();
    SimpleMeterRegistry registry = runExposed(churn, one);
    assertThat(one.flowsContinued()).as("six forged RST and SYN pairs").isEqualTo(6);
    assertThat(registry.get(AgentMetrics.FLOWS_CONTINUED).functionCounter().count()).isEqualTo(6.0);
    PipelineCounters three = new PipelineCounters();
    new CaptureWorkers(AgentConfig.defaults("t"), r -> {}, three, 3)
        .run(churn, churn.toString(), EndReason.END_OF_CAPTURE);
    assertThat(three.flowsContinued()).isEqualTo(6);
  }

  /**
   * IPv4 fragments of TCP are counted (migaudit_agent_tcp_fragments_total); those of UDP are not.
   */
  @Test
  void tcpFragmentsAreCountedAndExposed(@TempDir Path dir) throws Exception {
    Path pcap = dir.resolve("fragments.pcap");
    CaptureBytes file = pcapOfEthernet();
    record(file, fragment(6, 0x2000, 24)); // first piece: More Fragments, TCP header inside
    record(file, fragment(6, 3, 16)); // a later piece: offset 3 * 8
    record(file, fragment(17, 0x2000, 16)); // UDP: not counted
    Files.write(pcap, file.bytes());
    PipelineCounters counters = new PipelineCounters();
    SimpleMeterRegistry registry = runExposed(pcap, counters);
    assertThat(counters.tcpFragments()).isEqualTo(2);
    assertThat(registry.get(AgentMetrics.TCP_FRAGMENTS).functionCounter().count()).isEqualTo(2.0);
  }

  /**
   * Tunnel packets whose outer IPv4 packet is a first fragment are counted
   * (migaudit_agent_tunnel_fragments_total), by one pipeline and by workers sharing the file; the
   * later fragment, with no tunnel header, is not, and neither is a whole tunnel packet.
   */
  @Test
  void tunnelFragmentsAreCountedAndExposed(@TempDir Path dir) throws Exception {
    Path pcap = dir.resolve("tunnel-fragments.pcap");
    CaptureBytes file = pcapOfEthernet();
    byte[] datagram = vxlanDatagram(1400);
    for (int port : new int[] {41011, 41012, 41013}) {
      record(file, outerIpv4(0x2000, Arrays.copyOf(datagram, 1200), port)); // first fragment
      record(file, outerIpv4(1200 / 8, Arrays.copyOfRange(datagram, 1200, datagram.length), port));
    }
    record(file, outerIpv4(0, vxlanDatagram(200), 41014)); // whole: not counted
    Files.write(pcap, file.bytes());

    PipelineCounters counters = new PipelineCounters();
    SimpleMeterRegistry registry = runExposed(pcap, counters);
    assertThat(counters.tunnelFragments()).isEqualTo(3);
    assertThat(counters.tcpFragments()).as("the outer packets carry UDP").isZero();
    assertThat(counters.snappedPackets()).as("every frame captured whole").isZero();
    assertThat(registry.get(AgentMetrics.TUNNEL_FRAGMENTS).functionCounter().count())
        .isEqualTo(3.0);
    assertThat(counters.reassembled()).as("each put back together").isEqualTo(3);
    assertThat(registry.get(AgentMetrics.PACKETS_REASSEMBLED).functionCounter().count())
        .isEqualTo(3.0);
    assertThat(registry.get(AgentMetrics.REASSEMBLY_CONFLICTS).functionCounter().count()).isZero();
    assertThat(registry.get(AgentMetrics.REASSEMBLY_INCOMPLETE).functionCounter().count()).isZero();
    PipelineCounters workers = new PipelineCounters();
    new CaptureWorkers(AgentConfig.defaults("t"), r -> {}, workers, 3)
        .run(pcap, pcap.toString(), EndReason.END_OF_CAPTURE);
    assertThat(workers.tunnelFragments()).isEqualTo(3);
    assertThat(workers.reassembled()).isEqualTo(3);
    assertThat(counters.tunnelPacketsCut()).as("none judged cut").isZero();
    assertThat(workers.tunnelPacketsCut()).isZero();
  }

  /**
   * Tunnel packets whose outer packet's later fragment never came are judged from the first alone,
   * and counted as cut, by one pipeline and by workers.
   */
  @Test
  void tunnelPacketsWithoutTheirLaterFragmentAreJudgedCut(@TempDir Path dir) throws Exception {
    Path pcap = dir.resolve("first-fragments.pcap");
    CaptureBytes file = pcapOfEthernet();
    byte[] datagram = vxlanDatagram(1400);
    for (int port : new int[] {41011, 41012, 41013}) {
      record(file, outerIpv4(0x2000, Arrays.copyOf(datagram, 1200), port));
    }
    Files.write(pcap, file.bytes());
    PipelineCounters one = new PipelineCounters();
    SimpleMeterRegistry registry = runExposed(pcap, one);
    PipelineCounters workers = new PipelineCounters();
    new CaptureWorkers(AgentConfig.defaults("t"), r -> {}, workers, 3)
        .run(pcap, pcap.toString(), EndReason.END_OF_CAPTURE);
    for (PipelineCounters c : List.of(one, workers)) {
      assertThat(c.tunnelFragments()).isEqualTo(3);
      assertThat(c.reassembled()).isZero();
      assertThat(c.reassemblyIncomplete()).isEqualTo(3);
      assertThat(c.tunnelPacketsCut()).isEqualTo(3);
    }
    assertThat(registry.get(AgentMetrics.REASSEMBLY_INCOMPLETE).functionCounter().count())
        .isEqualTo(3.0);
  }

  /**
   * IP packets the snap length cut are counted, by one pipeline and by workers sharing the file:
   * every frame of snaplen-vmotion-plaintext but its ARP and handshake was cut at 200 bytes.
   */
  @Test
  void packetsTheSnapLengthCutAreCounted() throws Exception {
    Path snapped = Path.of("../samples/snaplen-vmotion-plaintext/capture.pcap");
    PipelineCounters one = new PipelineCounters();
    SimpleMeterRegistry registry = runExposed(snapped, one);
    assertThat(one.snappedPackets()).isPositive().isLessThan(one.packets());
    assertThat(registry.get(AgentMetrics.PACKETS_SNAPPED).functionCounter().count())
        .isEqualTo((double) one.snappedPackets());
    assertThat(one.tunnelFragments()).isZero();
    PipelineCounters three = new PipelineCounters();
    new CaptureWorkers(AgentConfig.defaults("t"), r -> {}, three, 3)
        .run(snapped, snapped.toString(), EndReason.END_OF_CAPTURE);
    assertThat(three.snappedPackets()).isEqualTo(one.snappedPackets());
  }

  /**
   * UDP to 4789, VXLAN VNI 5000, an Ethernet frame with IPv4/TCP 192.168.50.11 -> .12:49152 and
   * {@code payload} bytes; the UDP header's source port stands for the inner flow's hash.
   */
  private static byte[] vxlanDatagram(int payload) {
    ByteBuffer b = ByteBuffer.allocate(8 + 8 + 14 + 20 + 20 + payload);
    b.putShort((short) 53001)
        .putShort((short) 4789)
        .putShort((short) b.capacity())
        .putShort((short) 0);
    b.put((byte) 0x08).put(new byte[3]).putInt(5000 << 8);
    b.put(new byte[12]).putShort((short) 0x0800);
    b.put((byte) 0x45)
        .put((byte) 0)
        .putShort((short) (40 + payload))
        .putInt(0)
        .put((byte) 64)
        .put((byte) 6)
        .putShort((short) 0)
        .putInt(0xC0A8320B)
        .putInt(0xC0A8320C);
    b.putShort((short) 41011)
        .putShort((short) 49152)
        .putInt(1)
        .putInt(0)
        .put((byte) 0x50)
        .put((byte) 0x18)
        .putInt(0xFFFF0000);
    return b.array();
  }

  /**
   * Ethernet and IPv4 from VTEP 10.20.0.1 to .2 around {@code piece}, identification {@code id}.
   */
  private static byte[] outerIpv4(int flagsFragment, byte[] piece, int id) {
    ByteBuffer b = ByteBuffer.allocate(14 + 20 + piece.length);
    b.put(new byte[12]).putShort((short) 0x0800);
    b.put((byte) 0x45)
        .put((byte) 0)
        .putShort((short) (20 + piece.length))
        .putShort((short) id)
        .putShort((short) flagsFragment)
        .put((byte) 64)
        .put((byte) 17)
        .putShort((short) 0)
        .putInt(0x0A140001)
        .putInt(0x0A140002);
    return b.put(piece).array();
  }

  /** Runs the capture agent over {@code capture} with {@code counters} bound to a new registry. */
  private static SimpleMeterRegistry runExposed(Path capture, PipelineCounters counters)
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new AgentMetrics(registry).bind("file", counters);
    CaptureAgent agent = new CaptureAgent(AgentConfig.defaults("t"), r -> {}, counters);
    try (var source = PcapFileSource.open(capture)) {
      agent.run(source, "file", EndReason.END_OF_CAPTURE);
    }
    return registry;
  }

  private static byte[] fragment(int protocol, int flagsFragment, int payload) {
    ByteBuffer b = ByteBuffer.allocate(14 + 20 + payload);
    b.put(new byte[12]).putShort((short) 0x0800);
    b.put((byte) 0x45)
        .put((byte) 0)
        .putShort((short) (20 + payload))
        .putShort((short) 7)
        .putShort((short) flagsFragment)
        .put((byte) 64)
        .put((byte) protocol)
        .putShort((short) 0)
        .putInt(0xC0A8320B)
        .putInt(0xC0A8320C);
    b.putShort((short) 41011)
        .putShort((short) 5000)
        .putInt(1)
        .putInt(0)
        .put((byte) 0x50)
        .put((byte) 0x10);
    return b.array();
  }

  /** A little-endian microsecond pcap of Ethernet frames ({@link CaptureBytes}). */
  private static CaptureBytes pcapOfEthernet() {
    return CaptureBytes.pcap(
        ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, 65535, CaptureBytes.LINKTYPE_ETHERNET);
  }

  /** One whole frame at a fixed time. */
  private static void record(CaptureBytes file, byte[] frame) {
    file.record(1_700_000_000, 0, frame, frame.length);
  }
}
