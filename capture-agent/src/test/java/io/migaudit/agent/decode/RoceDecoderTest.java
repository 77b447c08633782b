package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.decode;
import static io.migaudit.agent.decode.FrameBytes.decodeEthernet;
import static io.migaudit.agent.decode.FrameBytes.packet;
import static io.migaudit.agent.decode.FrameBytes.snapped;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.source.CapturedPacket;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RoCEv2: a datagram to UDP 4791 whose InfiniBand transport header holds together is RDMA, its
 * payload the RDMA payload alone; a whole packet's ICRC must match as a NIC checks it, or the
 * packet is dropped as the NIC drops it; anything else on 4791 stays UDP.
 */
class RoceDecoderTest {
  private static final HexFormat HEX = HexFormat.of();

  /**
   * A congestion notification packet captured on a Mellanox ConnectX-4 Lx (Scapy's RoCE tests,
   * test/contrib/roce.uts): a real NIC's ICRC, 82 fd 00 2a on the wire.
   */
  private static final String CONNECTX4_CNP =
      "e41d2dab2bc27cfe90643b32080045c2003c718c4000401191610a0011010a001201000012b700280000"
          + "8100ffff40000118000000000000000000000000000000000000000082fd002a";

  /**
   * IPv4 RC RDMA WRITE Only: RETH (length 10), 10 payload bytes starting with QEMU's QEVM, two pad
   * bytes; ICRC computed by Python's zlib as Linux rxe does, not by the code under test.
   */
  private static final String WRITE_ONLY_V4 =
      "02000000000c02000000000b0800456a004800074000401154ccc0a8320bc0a8320cc01112b7003400000a60"
          + "ffff000000118000000700007f0000001000000012340000000a5145564d000000030102000"
          + "04dda14aa";

  /**
   * IPv6 UC SEND Only with traffic class 0x68, flow label 0x12345 and a non-zero UDP checksum, 8
   * payload bytes "pagedata"; ICRC by Python's zlib.
   */
  private static final String SEND_ONLY_V6 =
      "02000000000c02000000000b86dd6681234500201140fd000050000000000000000000000011fd0000500000"
          + "00000000000000000012c02212b7002011112400ffff00000022000001007061676564617461"
          + "5b343cfd";

  private static byte[] frame(String hex) {
    return HEX.parseHex(hex);
  }

  @Test
  void aRealNicsCongestionNotificationIsRdmaWithoutPayload() {
    FrameBytes.Decoded d = decodeEthernet(frame(CONNECTX4_CNP));
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(DecodedPacket.PROTOCOL_ROCEV2);
    assertThat(d.packet().srcPort).isEqualTo(RoceDecoder.UDP_PORT);
    assertThat(d.packet().dstPort).isEqualTo(RoceDecoder.UDP_PORT);
    assertThat(d.packet().payloadWireLength).isZero();
  }

  @Test
  void theInvariantCrcIsTheNicsAndPythonsAsWritten() {
    byte[] cnp = frame(CONNECTX4_CNP);
    assertThat(InvariantCrc.of(ByteBuffer.wrap(cnp), 14, cnp.length - 4)).isEqualTo(0x82fd002a);
    byte[] v6 = frame(SEND_ONLY_V6);
    ByteBuffer direct = ByteBuffer.allocateDirect(v6.length).put(v6).flip();
    assertThat(InvariantCrc.of(direct, 14, v6.length - 4)).isEqualTo(0x5b343cfd);
  }

  @Test
  void anRdmaWriteCarriesItsPayloadWithoutHeadersPadOrIcrc() {
    FrameBytes.Decoded d = decodeEthernet(frame(WRITE_ONLY_V4));
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(DecodedPacket.PROTOCOL_ROCEV2);
    assertThat(d.payload()).isEqualTo(HEX.parseHex("5145564d000000030102"));
    assertThat(d.packet().payloadWireLength).isEqualTo(10);
  }

  @Test
  void ipv6RdmaMasksTrafficClassFlowLabelAndHopLimit() {
    FrameBytes.Decoded d = decodeEthernet(frame(SEND_ONLY_V6));
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipVersion).isEqualTo(6);
    assertThat(new String(d.payload(), java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("pagedata");
  }

  /** Every invariant byte counts: a flipped bit anywhere outside the masked fields is dropped. */
  @ParameterizedTest
  @ValueSource(
      ints = {
        26,
        30, // IPv4 source and destination
        34,
        35,
        36,
        38, // UDP ports and length
        42,
        44,
        47,
        53, // BTH opcode, P_Key, destination QP, PSN
        54,
        62,
        69, // RETH virtual address, R_Key, DMA length
        70,
        79,
        80, // payload, pad
        82,
        85 // the ICRC itself
      })
  void aFlippedInvariantBitIsABadIcrc(int at) {
    byte[] f = frame(WRITE_ONLY_V4);
    f[at] ^= 0x10;
    FrameBytes.Decoded d = decodeEthernet(f);
    if (at == 36 || at == 42) {
      // the destination port no longer 4791, a reserved opcode: not RoCEv2 at all, plain UDP
      assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
      assertThat(d.packet().ipProtocol).isEqualTo(FrameBytes.UDP);
    } else {
      assertThat(d.issue()).isEqualTo(DecodeIssue.ROCE_BAD_ICRC);
      assertThat(DecodeIssue.ROCE_BAD_ICRC.malformed()).isTrue();
    }
  }

  /** TOS, TTL, the IPv4 checksum, the UDP checksum and BTH byte 4 vary on the way: masked. */
  @ParameterizedTest
  @ValueSource(ints = {15, 22, 24, 25, 40, 41, 46})
  void variantFieldsDoNotCount(int at) {
    byte[] f = frame(WRITE_ONLY_V4);
    f[at] ^= 0x5a;
    FrameBytes.Decoded d = decodeEthernet(f);
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(DecodedPacket.PROTOCOL_ROCEV2);
  }

  @Test
  void aPacketTheCaptureCutIsReadWithoutItsIcrc() {
    byte[] f = frame(WRITE_ONLY_V4);
    f[f.length - 1] ^= 1; // would be a bad ICRC, but the capture does not hold it
    FrameBytes.Decoded d = decode(snapped(PacketDecoder.LINKTYPE_ETHERNET, f, 72));
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(DecodedPacket.PROTOCOL_ROCEV2);
    assertThat(d.packet().payloadCapturedLength).isEqualTo(2);
    assertThat(d.packet().payloadWireLength).isEqualTo(10);
  }

  @Test
  void aCutTransportHeaderIsNotRdma() {
    FrameBytes.Decoded d =
        decode(snapped(PacketDecoder.LINKTYPE_ETHERNET, frame(WRITE_ONLY_V4), 60));
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(FrameBytes.UDP);
  }

  @Test
  void aFrameTheNicPaddedIsReadToItsIpLength() {
    byte[] f = frame(CONNECTX4_CNP);
    byte[] padded = java.util.Arrays.copyOf(f, f.length + 6);
    FrameBytes.Decoded d = decodeEthernet(padded);
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(DecodedPacket.PROTOCOL_ROCEV2);
  }

  @Test
  void otherDatagramsToTheRdmaPortStayUdp() {
    byte[] version = frame(WRITE_ONLY_V4);
    version[43] |= 0x01; // transport header version 1
    byte[] reliableDatagram = frame(WRITE_ONLY_V4);
    reliableDatagram[42] = 0x44; // RD SEND only: no RoCE NIC carries RD
    byte[] noWords = frame(CONNECTX4_CNP);
    noWords[43] = 0x10; // a pad on a packet with no payload
    for (byte[] f : new byte[][] {version, reliableDatagram, noWords}) {
      FrameBytes.Decoded d = decodeEthernet(f);
      assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
      assertThat(d.packet().ipProtocol).isEqualTo(FrameBytes.UDP);
      assertThat(d.packet().dstPort).isEqualTo(RoceDecoder.UDP_PORT);
    }
  }

  @Test
  void ipv4OptionsOrFragmentsAreNotRdma() {
    byte[] fragment = frame(WRITE_ONLY_V4);
    fragment[20] = 0x20; // more fragments
    FrameBytes.Decoded d = decodeEthernet(fragment);
    assertThat(d.packet().ipProtocol).isNotEqualTo(DecodedPacket.PROTOCOL_ROCEV2);

    byte[] f = frame(WRITE_ONLY_V4);
    byte[] withOption = new byte[f.length + 4];
    System.arraycopy(f, 0, withOption, 0, 34);
    System.arraycopy(f, 34, withOption, 38, f.length - 34);
    withOption[14] = 0x46; // IHL 6: one word of options (NOPs)
    withOption[34] = withOption[35] = withOption[36] = withOption[37] = 1;
    ByteBuffer.wrap(withOption).putShort(16, (short) (f.length - 14 + 4));
    d = decodeEthernet(withOption);
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(FrameBytes.UDP);
  }

  @Test
  void aDirectBufferIsCheckedAsAHeapOneIs() {
    byte[] f = frame(WRITE_ONLY_V4);
    CapturedPacket p = packet(PacketDecoder.LINKTYPE_ETHERNET, f);
    p.data = ByteBuffer.allocateDirect(f.length).put(f).flip();
    FrameBytes.Decoded d = decode(p);
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(DecodedPacket.PROTOCOL_ROCEV2);
    assertThat(p.data.position()).isZero();
    assertThat(p.data.limit()).isEqualTo(f.length);
    f[70] ^= 1;
    p.data = ByteBuffer.allocateDirect(f.length).put(f).flip();
    assertThat(decode(p).issue()).isEqualTo(DecodeIssue.ROCE_BAD_ICRC);
  }
}
