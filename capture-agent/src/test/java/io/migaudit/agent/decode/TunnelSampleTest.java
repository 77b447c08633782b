package io.migaudit.agent.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.SampleCaptures;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Tunnel;
import io.migaudit.record.Verdict;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The samples of wrappers that do not encrypt (samples/README.md): an IP-in-IP tunnel, an IPv4
 * Authentication Header, ESP-NULL inside UDP 4500. Each hides a plaintext migration from a sensor
 * that stops at the outer header; here the agent's record is the migration inside, judged.
 */
class TunnelSampleTest {
  @Test
  void aMigrationInsideAnIpInIpTunnelIsTheFlow() throws IOException {
    List<FlowRecord> flows = SampleCaptures.finalRecords("ipip-tunnel-plaintext");

    assertThat(flows).hasSize(1);
    FlowRecord r = flows.get(0);
    assertThat(r.encapsulation()).containsExactly("ethernet", "ipv4", "ip-in-ip");
    assertThat(r.src()).isEqualTo("192.168.50.11");
    assertThat(r.dst()).isEqualTo("192.168.50.12");
    assertThat(r.transport()).isEqualTo("tcp");
    assertThat(r.dstPort()).isEqualTo(8000);
    assertThat(r.protocol()).isEqualTo("vmotion");
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.tunnel())
        .as("the path the migration really took")
        .isEqualTo(new Tunnel("ip-in-ip", List.of("10.10.0.11", "10.10.0.12"), null));
  }

  @Test
  void aMirrorsEncapsulationIsNoTunnelOfTheMigration() throws IOException {
    List<FlowRecord> flows = SampleCaptures.finalRecords("vmotion-plaintext-erspan");

    assertThat(flows).isNotEmpty();
    assertThat(flows)
        .filteredOn(r -> r.encapsulation().contains("erspan"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.tunnel()).isNull());
  }

  /**
   * A real migration in a kernel VXLAN, on IANA's port 4789 or on Linux's default 8472 (a device
   * made without dstport): the record is the migration inside, in overlay segment 5000, with no
   * routed tunnel (an overlay carries frames, not the flow's route); the flows of a mirror or of no
   * overlay carry no VNI. On 8472 the overlay's ARP is in VXLAN too: no UDP flow between the
   * tunnel's ends.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"qemu-vxlan", "qemu-vxlan-8472"})
  void aMigrationInAVxlanOverlayNamesItsSegment(String sample) throws IOException {
    List<FlowRecord> flows = SampleCaptures.finalRecords(sample);

    assertThat(flows).hasSize(1);
    FlowRecord r = flows.get(0);
    assertThat(r.encapsulation()).containsExactly("ethernet", "vlan", "ipv4", "vxlan", "ethernet");
    assertThat(r.src()).isEqualTo("192.168.50.11");
    assertThat(r.dst()).isEqualTo("192.168.50.12");
    assertThat(r.dstPort()).isEqualTo(49152);
    assertThat(r.vni()).isEqualTo(5000);
    assertThat(r.tunnel()).isNull();
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(SampleCaptures.finalRecords("vmotion-plaintext-erspan"))
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m.vni()).isNull());
  }

  @Test
  void theSegmentBehindAnAuthenticationHeaderIsReadInClear() throws IOException {
    List<FlowRecord> flows = SampleCaptures.finalRecords("ah-integrity-only");

    assertThat(flows).hasSize(1);
    FlowRecord r = flows.get(0);
    assertThat(r.transport()).isEqualTo("tcp");
    assertThat(r.dstPort()).isEqualTo(8000);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
  }

  @Test
  void espInUdpIsJudgedAsEsp() throws IOException {
    List<FlowRecord> flows = SampleCaptures.finalRecords("esp-null-nat-t");

    assertThat(flows).hasSize(1);
    FlowRecord r = flows.get(0);
    assertThat(r.transport()).isEqualTo("esp");
    assertThat(r.srcPort()).isEqualTo(4500);
    assertThat(r.dstPort()).isEqualTo(4500);
    assertThat(r.handshake().esp().nullEncryption()).isTrue();
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
  }
}
