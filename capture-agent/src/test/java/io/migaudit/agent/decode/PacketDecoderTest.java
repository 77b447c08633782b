package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.TCP;
import static io.migaudit.agent.decode.FrameBytes.UDP;
import static io.migaudit.agent.decode.FrameBytes.concat;
import static io.migaudit.agent.decode.FrameBytes.decode;
import static io.migaudit.agent.decode.FrameBytes.ethernet;
import static io.migaudit.agent.decode.FrameBytes.ipv4;
import static io.migaudit.agent.decode.FrameBytes.ipv6;
import static io.migaudit.agent.decode.FrameBytes.packet;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.tcp;
import static io.migaudit.agent.decode.FrameBytes.udp;
import static io.migaudit.agent.decode.FrameBytes.v4;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.source.CapturedPacket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Link-type dispatch: every supported link layer down to the same IP packet, and what goes wrong.
 */
class PacketDecoderTest {
  private static final byte[] IPV4 =
      ipv4(TCP, v4(10, 1, 1, 1), v4(10, 2, 2, 2), tcp(50000, 6600, 0x18, payload(5)));
  private static final byte[] IPV6 = ipv6(UDP, udp(40000, 5001, payload(3)));

  private static byte[] sll(int protocol, int arphrd) {
    ByteBuffer b = ByteBuffer.allocate(16);
    b.putShort((short) 0)
        .putShort((short) arphrd)
        .putShort((short) 6)
        .put(new byte[8])
        .putShort((short) protocol);
    return b.array();
  }

  private static byte[] sll2(int protocol, int arphrd) {
    ByteBuffer b = ByteBuffer.allocate(20);
    b.putShort((short) protocol)
        .putShort((short) 0)
        .putInt(3)
        .putShort((short) arphrd)
        .put((byte) 0)
        .put((byte) 6)
        .put(new byte[8]);
    return b.array();
  }

  private static byte[] family(int value, ByteOrder order) {
    return ByteBuffer.allocate(4).order(order).putInt(value).array();
  }

  private static void assertIpv4(FrameBytes.Decoded d, Layer link) {
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.layers()).containsExactly(link);
    assertThat(d.packet().ipVersion).isEqualTo(4);
    assertThat(d.packet().srcLo).isEqualTo(v4(10, 1, 1, 1));
    assertThat(d.packet().dstPort).isEqualTo(6600);
    assertThat(d.payload()).isEqualTo(payload(5));
  }

  private static void assertIpv6(FrameBytes.Decoded d, Layer link) {
    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.layers()).containsExactly(link);
    assertThat(d.packet().ipVersion).isEqualTo(6);
    assertThat(d.packet().dstPort).isEqualTo(5001);
    assertThat(d.payload()).isEqualTo(payload(3));
  }

  @Test
  void copiesTheTimestampAndPointsAtTheFrame() {
    CapturedPacket in = packet(PacketDecoder.LINKTYPE_ETHERNET, ethernet(0x0800, IPV4));
    DecodedPacket out = new DecodedPacket();

    new PacketDecoder().decode(in, out);

    assertThat(out.timestampMicros).isEqualTo(in.timestampMicros);
    assertThat(out.frame).isSameAs(in.data);
  }

  @Test
  void resetsWhatThePreviousPacketLeft() {
    PacketDecoder decoder = new PacketDecoder();
    DecodedPacket out = new DecodedPacket();
    decoder.decode(
        packet(
            PacketDecoder.LINKTYPE_ETHERNET,
            ethernet(0x8100, concat(FrameBytes.tag(7, 0x0800), IPV4))),
        out);

    DecodeIssue issue =
        decoder.decode(packet(PacketDecoder.LINKTYPE_ETHERNET, ethernet(0x0806, payload(28))), out);

    assertThat(issue).isEqualTo(DecodeIssue.NOT_IP);
    assertThat(out.vlan).isEqualTo(DecodedPacket.NO_VLAN);
    assertThat(out.ipVersion).isZero();
    assertThat(out.dstPort).isZero();
    assertThat(out.layerCount).isEqualTo(1);
  }

  @Test
  void readsInNetworkOrderWhateverTheBuffersOrder() {
    CapturedPacket in = packet(PacketDecoder.LINKTYPE_ETHERNET, ethernet(0x0800, IPV4));
    in.data.order(ByteOrder.LITTLE_ENDIAN);

    assertIpv4(decode(in), Layer.ETHERNET);
  }

  @Test
  void linuxCookedCapture() {
    assertIpv4(
        decode(packet(PacketDecoder.LINKTYPE_LINUX_SLL, concat(sll(0x0800, 1), IPV4))),
        Layer.LINUX_SLL);
    assertIpv6(
        decode(packet(PacketDecoder.LINKTYPE_LINUX_SLL, concat(sll(0x86DD, 1), IPV6))),
        Layer.LINUX_SLL);
  }

  @Test
  void linuxCookedCaptureV2() {
    assertIpv4(
        decode(packet(PacketDecoder.LINKTYPE_LINUX_SLL2, concat(sll2(0x0800, 1), IPV4))),
        Layer.LINUX_SLL2);
    assertIpv6(
        decode(packet(PacketDecoder.LINKTYPE_LINUX_SLL2, concat(sll2(0x86DD, 1), IPV6))),
        Layer.LINUX_SLL2);
  }

  @Test
  void cutCookedHeadersAreTooShort() {
    assertThat(
            decode(packet(PacketDecoder.LINKTYPE_LINUX_SLL, Arrays.copyOf(sll(0x0800, 1), 15)))
                .issue())
        .isEqualTo(DecodeIssue.SLL_TOO_SHORT);
    assertThat(
            decode(packet(PacketDecoder.LINKTYPE_LINUX_SLL2, Arrays.copyOf(sll2(0x0800, 1), 19)))
                .issue())
        .isEqualTo(DecodeIssue.SLL_TOO_SHORT);
  }

  @Test
  void cookedNetlinkAndArpAreNotIp() {
    assertThat(
            decode(packet(PacketDecoder.LINKTYPE_LINUX_SLL, concat(sll(0x0800, 824), IPV4)))
                .issue())
        .isEqualTo(DecodeIssue.NOT_IP);
    assertThat(
            decode(packet(PacketDecoder.LINKTYPE_LINUX_SLL2, concat(sll2(0x0800, 824), IPV4)))
                .issue())
        .isEqualTo(DecodeIssue.NOT_IP);
    assertThat(
            decode(packet(PacketDecoder.LINKTYPE_LINUX_SLL, concat(sll(0x0806, 1), payload(28))))
                .issue())
        .isEqualTo(DecodeIssue.NOT_IP);
  }

  @ParameterizedTest
  @ValueSource(
      ints = {
        PacketDecoder.LINKTYPE_RAW,
        PacketDecoder.LINKTYPE_RAW_DLT12,
        PacketDecoder.LINKTYPE_RAW_DLT14
      })
  void rawIpPicksTheVersionFromTheFirstNibble(int linkType) {
    assertIpv4(decode(packet(linkType, IPV4)), Layer.RAW_IP);
    assertIpv6(decode(packet(linkType, IPV6)), Layer.RAW_IP);
  }

  @Test
  void rawIpWithAnotherVersionIsMalformed() {
    byte[] bad = IPV4.clone();
    bad[0] = 0x55;

    assertThat(decode(packet(PacketDecoder.LINKTYPE_RAW, bad)).issue())
        .isEqualTo(DecodeIssue.RAW_IP_BAD_VERSION);
    assertThat(decode(packet(PacketDecoder.LINKTYPE_RAW, new byte[0])).issue())
        .isEqualTo(DecodeIssue.RAW_IP_TOO_SHORT);
  }

  @Test
  void linkTypesIpv4AndIpv6ExpectTheirVersion() {
    assertIpv4(decode(packet(PacketDecoder.LINKTYPE_IPV4, IPV4)), Layer.RAW_IP);
    assertIpv6(decode(packet(PacketDecoder.LINKTYPE_IPV6, IPV6)), Layer.RAW_IP);
    assertThat(decode(packet(PacketDecoder.LINKTYPE_IPV4, IPV6)).issue())
        .isEqualTo(DecodeIssue.IPV4_BAD_VERSION);
    assertThat(decode(packet(PacketDecoder.LINKTYPE_IPV6, IPV4)).issue())
        .isEqualTo(DecodeIssue.IPV6_BAD_VERSION);
  }

  @Test
  void bsdNullReadsTheFamilyInEitherByteOrder() {
    assertIpv4(
        decode(
            packet(PacketDecoder.LINKTYPE_NULL, concat(family(2, ByteOrder.LITTLE_ENDIAN), IPV4))),
        Layer.LOOPBACK);
    assertIpv4(
        decode(packet(PacketDecoder.LINKTYPE_NULL, concat(family(2, ByteOrder.BIG_ENDIAN), IPV4))),
        Layer.LOOPBACK);
  }

  @ParameterizedTest
  @ValueSource(ints = {24, 28, 30})
  void bsdNullKnowsEveryBsdsInet6(int inet6) {
    assertIpv6(
        decode(
            packet(
                PacketDecoder.LINKTYPE_NULL, concat(family(inet6, ByteOrder.LITTLE_ENDIAN), IPV6))),
        Layer.LOOPBACK);
    assertIpv6(
        decode(
            packet(PacketDecoder.LINKTYPE_LOOP, concat(family(inet6, ByteOrder.BIG_ENDIAN), IPV6))),
        Layer.LOOPBACK);
  }

  @Test
  void openBsdLoopIsInNetworkOrderOnly() {
    assertIpv4(
        decode(packet(PacketDecoder.LINKTYPE_LOOP, concat(family(2, ByteOrder.BIG_ENDIAN), IPV4))),
        Layer.LOOPBACK);
    assertThat(
            decode(
                    packet(
                        PacketDecoder.LINKTYPE_LOOP,
                        concat(family(2, ByteOrder.LITTLE_ENDIAN), IPV4)))
                .issue())
        .isEqualTo(DecodeIssue.NOT_IP);
  }

  @Test
  void loopbackOtherFamiliesAndCutHeaders() {
    assertThat(
            decode(
                    packet(
                        PacketDecoder.LINKTYPE_NULL,
                        concat(family(7, ByteOrder.LITTLE_ENDIAN), IPV4)))
                .issue())
        .isEqualTo(DecodeIssue.NOT_IP);
    assertThat(decode(packet(PacketDecoder.LINKTYPE_NULL, new byte[3])).issue())
        .isEqualTo(DecodeIssue.LOOPBACK_TOO_SHORT);
    assertThat(decode(packet(PacketDecoder.LINKTYPE_LOOP, new byte[3])).issue())
        .isEqualTo(DecodeIssue.LOOPBACK_TOO_SHORT);
  }

  @Test
  void anUnknownLinkTypeIsUnsupported() {
    assertThat(decode(packet(105, IPV4)).issue()).isEqualTo(DecodeIssue.UNSUPPORTED_LINKTYPE);
  }
}
