package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.ICMP;
import static io.migaudit.agent.decode.FrameBytes.TCP;
import static io.migaudit.agent.decode.FrameBytes.UDP;
import static io.migaudit.agent.decode.FrameBytes.concat;
import static io.migaudit.agent.decode.FrameBytes.decode;
import static io.migaudit.agent.decode.FrameBytes.decodeEthernet;
import static io.migaudit.agent.decode.FrameBytes.decodeIp;
import static io.migaudit.agent.decode.FrameBytes.ethernet;
import static io.migaudit.agent.decode.FrameBytes.ipv4;
import static io.migaudit.agent.decode.FrameBytes.ipv4Header;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.snapped;
import static io.migaudit.agent.decode.FrameBytes.tcp;
import static io.migaudit.agent.decode.FrameBytes.udp;
import static io.migaudit.agent.decode.FrameBytes.v4;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Ipv4DecoderTest {
  private static final int SRC = v4(200, 1, 2, 3);
  private static final int DST = v4(10, 0, 0, 9);
  private static final byte[] UDP_SEGMENT = udp(5004, 5004, payload(12));

  @Test
  void decodesAddressesAsUnsignedProtocolAndLength() {
    FrameBytes.Decoded d = decodeIp(ipv4(UDP, SRC, DST, UDP_SEGMENT));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    DecodedPacket p = d.packet();
    assertThat(p.ipVersion).isEqualTo(4);
    assertThat(p.srcHi).isZero();
    assertThat(p.srcLo).isEqualTo(0xC8010203L);
    assertThat(p.dstHi).isZero();
    assertThat(p.dstLo).isEqualTo(0x0A000009L);
    assertThat(p.ipProtocol).isEqualTo(UDP);
    assertThat(p.ipLength).isEqualTo(20 + 8 + 12);
    assertThat(p.fragment).isFalse();
    assertThat(p.ipv4Fragment).isFalse();
  }

  @Test
  void skipsOptions() {
    byte[] packet =
        concat(ipv4Header(0x47, 28 + 20, 0, TCP, SRC, DST), tcp(1, 2, 0x02, payload(0)));

    FrameBytes.Decoded d = decodeIp(packet);

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().srcPort).isEqualTo(1);
    assertThat(d.packet().payloadOffset).isEqualTo(28 + 20);
  }

  @Test
  void lessThanAHeaderIsTooShort() {
    assertThat(decodeIp(Arrays.copyOf(ipv4(UDP, SRC, DST, UDP_SEGMENT), 19)).issue())
        .isEqualTo(DecodeIssue.IPV4_TOO_SHORT);
  }

  @Test
  void anotherVersionIsBad() {
    byte[] packet = ipv4(UDP, SRC, DST, UDP_SEGMENT);
    packet[0] = 0x65;

    assertThat(decodeEthernet(ethernet(0x0800, packet)).issue())
        .isEqualTo(DecodeIssue.IPV4_BAD_VERSION);
  }

  @Test
  void anIhlBelowFiveIsBad() {
    byte[] packet = ipv4(UDP, SRC, DST, UDP_SEGMENT);
    packet[0] = 0x44;

    assertThat(decodeIp(packet).issue()).isEqualTo(DecodeIssue.IPV4_BAD_IHL);
  }

  @Test
  void anIhlLongerThanTheWholeFrameIsBad() {
    byte[] packet = ipv4Header(0x45, 60, 0, UDP, SRC, DST);
    packet[0] = 0x4F; // 60-byte header in a 20-byte packet

    assertThat(decodeIp(packet).issue()).isEqualTo(DecodeIssue.IPV4_BAD_IHL);
  }

  @Test
  void optionsCutByTheSnapLengthAreTooShort() {
    byte[] packet = concat(ipv4Header(0x4F, 60 + 8, 0, UDP, SRC, DST), udp(1, 2, payload(0)));

    assertThat(decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 40)).issue())
        .isEqualTo(DecodeIssue.IPV4_TOO_SHORT);
  }

  @Test
  void aTotalLengthBelowTheHeaderIsBad() {
    byte[] packet = concat(ipv4Header(0x45, 19, 0, UDP, SRC, DST), UDP_SEGMENT);

    assertThat(decodeIp(packet).issue()).isEqualTo(DecodeIssue.IPV4_BAD_TOTAL_LENGTH);
  }

  @Test
  void aTotalLengthOfZeroIsPresumedTsoAndRunsToTheEndOfTheWireFrame() {
    byte[] packet = concat(ipv4Header(0x45, 0, 0, UDP, SRC, DST), udp(4789, 4789, payload(70_000)));

    FrameBytes.Decoded d = decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 100));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipLength).isEqualTo(20 + 8 + 70_000);
    assertThat(d.packet().payloadWireLength).isEqualTo(70_000);
    assertThat(d.packet().payloadCapturedLength).isEqualTo(100 - 28);
  }

  @Test
  void ethernetPaddingIsNotPayload() {
    byte[] packet = ipv4(UDP, SRC, DST, udp(1, 2, payload(2)));
    byte[] frame = concat(ethernet(0x0800, packet), new byte[60 - 14 - packet.length]);

    FrameBytes.Decoded d = decodeEthernet(frame);

    assertThat(d.packet().payloadCapturedLength).isEqualTo(2);
    assertThat(d.packet().payloadWireLength).isEqualTo(2);
  }

  @Test
  void aPayloadCutByTheSnapLengthIsNoIssue() {
    byte[] packet = ipv4(TCP, SRC, DST, tcp(40000, 8000, 0x10, payload(1400)));

    FrameBytes.Decoded d = decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 96));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().payloadCapturedLength).isEqualTo(96 - 40);
    assertThat(d.packet().payloadWireLength).isEqualTo(1400);
    assertThat(d.packet().ipLength).isEqualTo(1440);
  }

  @Test
  void aLaterFragmentHasNoPorts() {
    byte[] packet =
        concat(ipv4Header(0x45, 20 + 16, 185, UDP, SRC, DST), payload(16)); // offset 185 * 8

    FrameBytes.Decoded d = decodeIp(packet);

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().fragment).isTrue();
    assertThat(d.packet().ipv4Fragment).isTrue();
    assertThat(d.packet().ipProtocol).isEqualTo(UDP);
    assertThat(d.packet().srcPort).isZero();
    assertThat(d.packet().dstPort).isZero();
    assertThat(d.packet().payloadOffset).isEqualTo(20);
    assertThat(d.packet().payloadWireLength).isEqualTo(16);
  }

  @Test
  void theFirstFragmentCarriesThePorts() {
    byte[] packet =
        concat(ipv4Header(0x45, 20 + 20, 0x2000, UDP, SRC, DST), udp(500, 4500, payload(12)));

    FrameBytes.Decoded d = decodeIp(packet);

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().fragment).isFalse();
    assertThat(d.packet().ipv4Fragment).as("first fragment: More Fragments set").isTrue();
    assertThat(d.packet().dstPort).isEqualTo(4500);
  }

  @Test
  void aFirstFragmentTooSmallForItsTransportHeaderIsTooShort() {
    byte[] packet = concat(ipv4Header(0x45, 20 + 8, 0x2000, TCP, SRC, DST), payload(8));

    assertThat(decodeIp(packet).issue()).isEqualTo(DecodeIssue.TCP_TOO_SHORT);
  }

  @Test
  void icmpHasNoPortsAndItsPayloadFollowsTheHeader() {
    FrameBytes.Decoded d = decodeIp(ipv4(ICMP, SRC, DST, payload(64)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(ICMP);
    assertThat(d.packet().srcPort).isZero();
    assertThat(d.packet().payloadOffset).isEqualTo(20);
    assertThat(d.packet().payloadWireLength).isEqualTo(64);
  }
}
