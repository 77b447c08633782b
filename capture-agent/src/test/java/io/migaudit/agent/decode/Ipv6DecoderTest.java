package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.ESP;
import static io.migaudit.agent.decode.FrameBytes.ICMPV6;
import static io.migaudit.agent.decode.FrameBytes.TCP;
import static io.migaudit.agent.decode.FrameBytes.UDP;
import static io.migaudit.agent.decode.FrameBytes.ah;
import static io.migaudit.agent.decode.FrameBytes.concat;
import static io.migaudit.agent.decode.FrameBytes.decode;
import static io.migaudit.agent.decode.FrameBytes.decodeIp;
import static io.migaudit.agent.decode.FrameBytes.extension;
import static io.migaudit.agent.decode.FrameBytes.fragment;
import static io.migaudit.agent.decode.FrameBytes.ipv6;
import static io.migaudit.agent.decode.FrameBytes.ipv6Header;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.snapped;
import static io.migaudit.agent.decode.FrameBytes.tcp;
import static io.migaudit.agent.decode.FrameBytes.udp;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Ipv6DecoderTest {
  private static final int HOP_BY_HOP = 0;
  private static final int ROUTING = 43;
  private static final int FRAGMENT = 44;
  private static final int AH = 51;
  private static final int NO_NEXT = 59;
  private static final int DEST_OPTS = 60;
  private static final byte[] SEGMENT = tcp(49152, 16514, 0x18, payload(7));

  @Test
  void decodesAddressesAsTwoLongsAndTheTransport() {
    FrameBytes.Decoded d = decodeIp(ipv6(TCP, SEGMENT));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    DecodedPacket p = d.packet();
    assertThat(p.ipVersion).isEqualTo(6);
    assertThat(p.srcHi).isEqualTo(0x20010db8_00000001L);
    assertThat(p.srcLo).isEqualTo(0x0aL);
    assertThat(p.dstHi).isEqualTo(0xfd000050_00000000L);
    assertThat(p.dstLo).isEqualTo(0x11L);
    assertThat(p.ipProtocol).isEqualTo(TCP);
    assertThat(p.ipLength).isEqualTo(40 + 27);
    assertThat(p.dstPort).isEqualTo(16514);
    assertThat(d.payload()).isEqualTo(payload(7));
  }

  @Test
  void lessThanAHeaderIsTooShort() {
    assertThat(decodeIp(Arrays.copyOf(ipv6(TCP, SEGMENT), 39)).issue())
        .isEqualTo(DecodeIssue.IPV6_TOO_SHORT);
  }

  @Test
  void anotherVersionIsBad() {
    assertThat(
            decode(
                    FrameBytes.packet(
                        PacketDecoder.LINKTYPE_IPV6, FrameBytes.ipv4(TCP, 1, 2, SEGMENT)))
                .issue())
        .isEqualTo(DecodeIssue.IPV6_BAD_VERSION);
  }

  @Test
  void walksHopByHopRoutingAndDestinationOptions() {
    byte[] chain = concat(extension(ROUTING, 0), extension(DEST_OPTS, 1), extension(TCP, 0));

    FrameBytes.Decoded d = decodeIp(ipv6(HOP_BY_HOP, concat(chain, SEGMENT)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(TCP);
    assertThat(d.packet().srcPort).isEqualTo(49152);
    assertThat(d.packet().payloadOffset).isEqualTo(40 + 8 + 16 + 8 + 20);
    assertThat(d.payload()).isEqualTo(payload(7));
  }

  @Test
  void walksTheAuthenticationHeader() {
    FrameBytes.Decoded d = decodeIp(ipv6(AH, concat(ah(UDP), udp(500, 500, payload(2)))));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(UDP);
    assertThat(d.packet().dstPort).isEqualTo(500);
    assertThat(d.packet().payloadOffset).isEqualTo(40 + 24 + 8);
  }

  @Test
  void stopsAtEspWithThePayloadAfterTheHeaders() {
    FrameBytes.Decoded d = decodeIp(ipv6(DEST_OPTS, concat(extension(ESP, 0), payload(32))));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(ESP);
    assertThat(d.packet().srcPort).isZero();
    assertThat(d.packet().payloadOffset).isEqualTo(48);
    assertThat(d.packet().payloadWireLength).isEqualTo(32);
  }

  @Test
  void theFirstFragmentCarriesThePorts() {
    FrameBytes.Decoded d = decodeIp(ipv6(FRAGMENT, concat(fragment(TCP, 0, true), SEGMENT)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().fragment).isFalse();
    assertThat(d.packet().dstPort).isEqualTo(16514);
  }

  @Test
  void aLaterFragmentHasNoPorts() {
    FrameBytes.Decoded d = decodeIp(ipv6(FRAGMENT, concat(fragment(TCP, 100, false), payload(24))));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().fragment).isTrue();
    assertThat(d.packet().ipProtocol).isEqualTo(TCP);
    assertThat(d.packet().srcPort).isZero();
    assertThat(d.packet().payloadOffset).isEqualTo(48);
    assertThat(d.packet().payloadWireLength).isEqualTo(24);
  }

  @Test
  void noNextHeaderEndsThePacket() {
    FrameBytes.Decoded d = decodeIp(ipv6(DEST_OPTS, extension(NO_NEXT, 0)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(NO_NEXT);
    assertThat(d.packet().payloadWireLength).isZero();
  }

  @Test
  void icmpv6HasNoPorts() {
    FrameBytes.Decoded d = decodeIp(ipv6(ICMPV6, payload(24)));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipProtocol).isEqualTo(ICMPV6);
    assertThat(d.packet().dstPort).isZero();
  }

  @Test
  void anExtensionHeaderPastThePacketIsBad() {
    byte[] ext = extension(TCP, 3); // 32 bytes in a packet whose payload length says 8
    byte[] packet = concat(ipv6Header(DEST_OPTS, 8), ext, SEGMENT);

    assertThat(decodeIp(packet).issue()).isEqualTo(DecodeIssue.IPV6_BAD_EXTENSION_HEADER);
  }

  @Test
  void anExtensionHeaderCutByTheSnapLengthIsTooShort() {
    byte[] packet = ipv6(DEST_OPTS, concat(extension(TCP, 3), SEGMENT));

    assertThat(decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 40 + 16)).issue())
        .isEqualTo(DecodeIssue.IPV6_EXTENSION_HEADER_TOO_SHORT);
    assertThat(decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 41)).issue())
        .isEqualTo(DecodeIssue.IPV6_EXTENSION_HEADER_TOO_SHORT);
  }

  @Test
  void aCutFragmentHeaderIsTooShort() {
    byte[] packet = ipv6(FRAGMENT, concat(fragment(TCP, 0, true), SEGMENT));

    assertThat(decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 46)).issue())
        .isEqualTo(DecodeIssue.IPV6_EXTENSION_HEADER_TOO_SHORT);
  }

  @Test
  void tooManyExtensionHeadersAreMalformed() {
    byte[] chain = new byte[0];
    for (int i = 0; i < Ipv6Decoder.MAX_EXTENSION_HEADERS; i++) {
      chain = concat(chain, extension(DEST_OPTS, 0));
    }
    chain = concat(chain, extension(TCP, 0));

    assertThat(decodeIp(ipv6(DEST_OPTS, concat(chain, SEGMENT))).issue())
        .isEqualTo(DecodeIssue.IPV6_TOO_MANY_EXTENSION_HEADERS);
  }

  @Test
  void aPayloadLengthOfZeroWithAJumboOptionTakesTheJumboLength() {
    byte[] hopByHop =
        ByteBuffer.allocate(8)
            .put((byte) UDP)
            .put((byte) 0)
            .put((byte) 0xC2)
            .put((byte) 4)
            .putInt(8 + 8 + 70_000)
            .array();
    byte[] packet =
        concat(ipv6Header(HOP_BY_HOP, 0), hopByHop, udp(1, 2, payload(70_000)), payload(50));

    FrameBytes.Decoded d = decodeIp(packet);

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipLength).isEqualTo(40 + 8 + 8 + 70_000);
    assertThat(d.packet().payloadWireLength).isEqualTo(70_000);
    assertThat(d.packet().payloadCapturedLength).isEqualTo(70_000);
  }

  @Test
  void aPayloadLengthOfZeroWithoutExtensionHeadersIsPresumedBigTcp() {
    byte[] packet = concat(ipv6Header(TCP, 0), tcp(1, 2, 0x10, payload(80_000)));

    FrameBytes.Decoded d = decode(snapped(PacketDecoder.LINKTYPE_RAW, packet, 200));

    assertThat(d.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(d.packet().ipLength).isEqualTo(40 + 20 + 80_000);
    assertThat(d.packet().payloadWireLength).isEqualTo(80_000);
    assertThat(d.packet().payloadCapturedLength).isEqualTo(200 - 60);
  }

  @Test
  void aPayloadLengthOfZeroWithExtensionHeadersButNoJumboIsBad() {
    byte[] packet = concat(ipv6Header(FRAGMENT, 0), fragment(TCP, 160, false), payload(16));

    assertThat(decodeIp(packet).issue()).isEqualTo(DecodeIssue.IPV6_BAD_EXTENSION_HEADER);
  }
}
