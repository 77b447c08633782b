package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.AH;
import static io.migaudit.agent.decode.FrameBytes.ESP;
import static io.migaudit.agent.decode.FrameBytes.GRE;
import static io.migaudit.agent.decode.FrameBytes.IPV4_IN_IP;
import static io.migaudit.agent.decode.FrameBytes.TCP;
import static io.migaudit.agent.decode.FrameBytes.UDP;
import static io.migaudit.agent.decode.FrameBytes.ah;
import static io.migaudit.agent.decode.FrameBytes.concat;
import static io.migaudit.agent.decode.FrameBytes.decode;
import static io.migaudit.agent.decode.FrameBytes.decodeIp;
import static io.migaudit.agent.decode.FrameBytes.ipv4;
import static io.migaudit.agent.decode.FrameBytes.ipv4Header;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.snapped;
import static io.migaudit.agent.decode.FrameBytes.tcp;
import static io.migaudit.agent.decode.FrameBytes.tcpHeader;
import static io.migaudit.agent.decode.FrameBytes.udp;
import static io.migaudit.agent.decode.FrameBytes.v4;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** TCP, UDP, ESP (also in UDP), IPv4's AH and the protocols without ports. */
class TransportDecoderTest {
  private static final int A = v4(192, 168, 50, 11);
  private static final int B = v4(192, 168, 50, 12);

  @Test
  void tcpPortsFlagsAndPayload() {
    FrameBytes.Decoded d = decodeIp(ipv4(TCP, A, B, tcp(49152, 8000, 0x18, payload(100))));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().srcPort).isEqualTo(49152);
    assertThat(d.packet().dstPort).isEqualTo(8000);
    assertThat(d.packet().tcpFlags).isEqualTo(0x18);
    assertThat(d.packet().payloadOffset).isEqualTo(40);
    assertThat(d.packet().payloadCapturedLength).isEqualTo(100);
    assertThat(d.packet().payloadWireLength).isEqualTo(100);
    assertThat(d.payload()).isEqualTo(payload(100));
  }

  @Test
  void tcpOptionsAreSkipped() {
    byte[] segment = concat(tcpHeader(1, 2, 8, 0x02), payload(3));
    FrameBytes.Decoded d = decodeIp(ipv4(TCP, A, B, segment));

    assertThat(d.packet().payloadOffset).isEqualTo(20 + 32);
    assertThat(d.payload()).isEqualTo(payload(3));
  }

  @Test
  void tcpSequenceAcknowledgmentWindowAndTheSynsWindowScale() {
    byte[] syn =
        tcpHeader(1, 2, 8, 0x02); // options: MSS 1460, NOP, window scale 7, SACK permitted, ...
    byte[] options = {2, 4, 0x05, (byte) 0xB4, 1, 3, 3, 7, 4, 2, 1, 1};
    System.arraycopy(options, 0, syn, 20, options.length);
    FrameBytes.Decoded d = decodeIp(ipv4(TCP, A, B, syn));
    assertThat(d.packet().tcpSeq).isEqualTo(1000);
    assertThat(d.packet().tcpAck).isEqualTo(2000);
    assertThat(d.packet().tcpWindow).isEqualTo(65535);
    assertThat(d.packet().tcpWindowScale).isEqualTo(7);

    byte[] ack = tcpHeader(1, 2, 8, 0x10); // the same options on a non-SYN: scale is a SYN's only
    System.arraycopy(options, 0, ack, 20, options.length);
    assertThat(decodeIp(ipv4(TCP, A, B, ack)).packet().tcpWindowScale)
        .isEqualTo(DecodedPacket.NO_WINDOW_SCALE);

    byte[] broken = tcpHeader(1, 2, 6, 0x02);
    System.arraycopy(
        new byte[] {3, 9, 7, 0}, 0, broken, 20, 4); // an option running past the header
    assertThat(decodeIp(ipv4(TCP, A, B, broken)).packet().tcpWindowScale)
        .isEqualTo(DecodedPacket.NO_WINDOW_SCALE);
  }

  @Test
  void aTcpHeaderCutByTheSnapLengthIsTooShort() {
    byte[] packet = ipv4(TCP, A, B, tcp(1, 2, 0x10, payload(100)));

    assertThat(decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 30)).issue())
        .isEqualTo(DecodeIssue.TCP_TOO_SHORT);
  }

  @Test
  void tcpOptionsCutByTheSnapLengthAreTooShort() {
    byte[] packet = ipv4(TCP, A, B, concat(tcpHeader(1, 2, 10, 0x10), payload(100)));

    assertThat(decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 20 + 30)).issue())
        .isEqualTo(DecodeIssue.TCP_TOO_SHORT);
  }

  @Test
  void anIpPacketTooSmallForATcpHeaderIsTooShort() {
    byte[] packet = concat(ipv4Header(0x45, 30, 0, TCP, A, B), payload(30));

    assertThat(decodeIp(packet).issue()).isEqualTo(DecodeIssue.TCP_TOO_SHORT);
  }

  @Test
  void aDataOffsetBelowFiveIsBad() {
    byte[] packet = ipv4(TCP, A, B, concat(tcpHeader(1, 2, 4, 0x10), payload(10)));

    assertThat(decodeIp(packet).issue()).isEqualTo(DecodeIssue.TCP_BAD_DATA_OFFSET);
  }

  @Test
  void aDataOffsetPastTheIpPacketIsBad() {
    byte[] packet = ipv4(TCP, A, B, concat(tcpHeader(1, 2, 5, 0x10), payload(10)));
    packet[20 + 12] = (byte) 0xF0; // 60-byte header in a 30-byte segment

    assertThat(decodeIp(packet).issue()).isEqualTo(DecodeIssue.TCP_BAD_DATA_OFFSET);
  }

  @Test
  void udpPortsAndPayload() {
    FrameBytes.Decoded d = decodeIp(ipv4(UDP, A, B, udp(500, 4500, payload(9))));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().srcPort).isEqualTo(500);
    assertThat(d.packet().dstPort).isEqualTo(4500);
    assertThat(d.packet().tcpFlags).isZero();
    assertThat(d.packet().payloadOffset).isEqualTo(28);
    assertThat(d.payload()).isEqualTo(payload(9));
  }

  @Test
  void aUdpHeaderCutIsTooShort() {
    byte[] packet = ipv4(UDP, A, B, udp(1, 2, payload(4)));

    assertThat(decodeIp(Arrays.copyOf(packet, 27)).issue()).isEqualTo(DecodeIssue.UDP_TOO_SHORT);
    assertThat(decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 27)).issue())
        .isEqualTo(DecodeIssue.UDP_TOO_SHORT);
  }

  @Test
  void espHasNoPortsAndItsPayloadStartsWithTheSpi() {
    byte[] esp = ByteBuffer.allocate(8 + 32).putInt(0x12345678).putInt(1).array();

    FrameBytes.Decoded d = decodeIp(ipv4(ESP, A, B, esp));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(ESP);
    assertThat(d.packet().srcPort).isZero();
    assertThat(d.packet().dstPort).isZero();
    assertThat(d.packet().payloadOffset).isEqualTo(20);
    assertThat(d.packet().payloadWireLength).isEqualTo(40);
    assertThat(d.packet().frame.getInt(d.packet().payloadOffset)).isEqualTo(0x12345678);
  }

  @Test
  void greIsAPlainProtocolForNow() {
    FrameBytes.Decoded d = decodeIp(ipv4(GRE, A, B, payload(24)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(GRE);
    assertThat(d.packet().payloadOffset).isEqualTo(20);
  }

  @Test
  void espInUdpThroughNatIsEspWithItsPorts() {
    byte[] esp = ByteBuffer.allocate(8 + 32).putInt(0x12345678).putInt(1).array();

    FrameBytes.Decoded d = decodeIp(ipv4(UDP, A, B, udp(4500, 4500, esp)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(ESP);
    assertThat(d.packet().srcPort).isEqualTo(4500);
    assertThat(d.packet().dstPort).isEqualTo(4500);
    assertThat(d.packet().payloadOffset).isEqualTo(28);
    assertThat(d.packet().payloadWireLength).isEqualTo(40);
    assertThat(d.packet().frame.getInt(d.packet().payloadOffset)).isEqualTo(0x12345678);
    assertThat(decodeIp(ipv4(UDP, A, B, udp(61000, 4500, esp))).packet().ipProtocol)
        .as("a NAT rewrote the source port")
        .isEqualTo(ESP);
  }

  @Test
  void ikeKeepalivesAndOtherPortsStayUdp() {
    byte[] ike = ByteBuffer.allocate(4 + 28).putInt(0).putLong(0x1122334455667788L).array();
    byte[] esp = ByteBuffer.allocate(8 + 32).putInt(0x12345678).putInt(1).array();

    assertThat(decodeIp(ipv4(UDP, A, B, udp(4500, 4500, ike))).packet().ipProtocol)
        .as("IKE behind the non-ESP marker")
        .isEqualTo(UDP);
    assertThat(
            decodeIp(ipv4(UDP, A, B, udp(4500, 4500, new byte[] {(byte) 0xFF})))
                .packet()
                .ipProtocol)
        .as("NAT keepalive")
        .isEqualTo(UDP);
    assertThat(decodeIp(ipv4(UDP, A, B, udp(4501, 4502, esp))).packet().ipProtocol).isEqualTo(UDP);
  }

  @Test
  void ipv4AuthenticationHeaderIsSkippedAndTheTcpBehindItIsTheFlow() {
    byte[] segment = tcp(41011, 8000, 0x18, payload(6));

    FrameBytes.Decoded d = decodeIp(ipv4(AH, A, B, concat(ah(TCP), segment)));
    FrameBytes.Decoded twice = decodeIp(ipv4(AH, A, B, concat(ah(AH), ah(TCP), segment)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(TCP);
    assertThat(d.packet().srcPort).isEqualTo(41011);
    assertThat(d.packet().dstPort).isEqualTo(8000);
    assertThat(d.payload()).isEqualTo(payload(6));
    assertThat(twice.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(twice.packet().dstPort).isEqualTo(8000);
  }

  @Test
  void ipv4AuthenticationHeaderInTunnelModeCarriesTheInnerPacket() {
    byte[] inner = ipv4(TCP, A, B, tcp(41011, 8000, 0x18, payload(6)));
    int gatewayA = v4(10, 20, 0, 11);
    int gatewayB = v4(10, 20, 0, 12);

    FrameBytes.Decoded d = decodeIp(ipv4(AH, gatewayA, gatewayB, concat(ah(IPV4_IN_IP), inner)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.layers()).containsExactly(Layer.RAW_IP, Layer.IPV4, Layer.IP_IN_IP);
    assertThat(d.packet().srcLo).isEqualTo(Integer.toUnsignedLong(A));
    assertThat(d.packet().dstPort).isEqualTo(8000);
  }

  @Test
  void ipv4AuthenticationHeaderCutLongOrChainedWithoutEndIsMalformed() {
    byte[] segment = tcp(41011, 8000, 0x18, payload(6));
    byte[] packet = ipv4(AH, A, B, concat(ah(TCP), segment));
    byte[] tooLong = packet.clone();
    tooLong[20 + 1] = (byte) 200; // (200 + 2) * 4 bytes: past the packet
    byte[] tooSmall = packet.clone();
    tooSmall[20 + 1] = 0; // 8 bytes: less than the fixed part
    byte[] endless = ipv4(AH, A, B, concat(ah(AH), ah(AH), ah(AH), ah(AH), ah(TCP), segment));

    assertThat(decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 20 + 10)).issue())
        .isEqualTo(DecodeIssue.AH_TOO_SHORT);
    assertThat(decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 20 + 16)).issue())
        .as("the ICV cut")
        .isEqualTo(DecodeIssue.AH_TOO_SHORT);
    assertThat(decodeIp(tooLong).issue()).isEqualTo(DecodeIssue.AH_BAD_LENGTH);
    assertThat(decodeIp(tooSmall).issue()).isEqualTo(DecodeIssue.AH_BAD_LENGTH);
    assertThat(decodeIp(endless).issue()).isEqualTo(DecodeIssue.AH_BAD_LENGTH);
    assertThat(decodeIp(Arrays.copyOf(ipv4(AH, A, B, new byte[0]), 20)).issue())
        .isEqualTo(DecodeIssue.AH_BAD_LENGTH);
  }
}
