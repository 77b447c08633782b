package io.migaudit.agent.decode;

import static io.migaudit.agent.decode.FrameBytes.GRE;
import static io.migaudit.agent.decode.FrameBytes.TCP;
import static io.migaudit.agent.decode.FrameBytes.UDP;
import static io.migaudit.agent.decode.FrameBytes.decodeEthernet;
import static io.migaudit.agent.decode.FrameBytes.erspanII;
import static io.migaudit.agent.decode.FrameBytes.ethernet;
import static io.migaudit.agent.decode.FrameBytes.gre;
import static io.migaudit.agent.decode.FrameBytes.ipv4;
import static io.migaudit.agent.decode.FrameBytes.payload;
import static io.migaudit.agent.decode.FrameBytes.tcp;
import static io.migaudit.agent.decode.FrameBytes.udp;
import static io.migaudit.agent.decode.FrameBytes.v4;
import static io.migaudit.agent.decode.FrameBytes.vxlan;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The tunnel path a packet's flow is keyed with: outer endpoints (either order), tunnel kind and
 * id.
 */
class TunnelPathTest {
  private static final int VTEP_A = v4(10, 99, 0, 1);
  private static final int VTEP_B = v4(10, 99, 0, 2);
  private static final byte[] INNER =
      ethernet(
          0x0800,
          ipv4(
              TCP, v4(192, 168, 50, 11), v4(192, 168, 50, 12), tcp(41011, 8000, 0x18, payload(6))));

  private static long path(int outerSrc, int outerDst, int protocol, byte[] tunnel) {
    DecodedPacket p =
        decodeEthernet(ethernet(0x0800, ipv4(protocol, outerSrc, outerDst, tunnel))).packet();
    assertThat(p.dstPort).isEqualTo(8000);
    return p.tunnelPath;
  }

  private static byte[] vxlanWithVni(int vni) {
    byte[] v = vxlan(0x08, INNER);
    v[4] = (byte) (vni >>> 16);
    v[5] = (byte) (vni >>> 8);
    v[6] = (byte) vni;
    return udp(53001, 4789, v);
  }

  private static byte[] erspanSession(int session) {
    byte[] e = erspanII(50, 3, INNER);
    e[2] = (byte) ((e[2] & 0xFC) | (session >>> 8));
    e[3] = (byte) session;
    return gre(0x1000, 0x88BE, e);
  }

  @Test
  void untunnelledPacketsHaveNoPath() {
    assertThat(decodeEthernet(INNER).packet().tunnelPath).isZero();
  }

  @Test
  void bothDirectionsOfOneTunnelShareItsPath() {
    assertThat(path(VTEP_A, VTEP_B, UDP, vxlanWithVni(100)))
        .isNotZero()
        .isEqualTo(path(VTEP_B, VTEP_A, UDP, vxlanWithVni(100)));
  }

  @Test
  void anotherVniSessionKeyOrEndpointIsAnotherPath() {
    assertThat(path(VTEP_A, VTEP_B, UDP, vxlanWithVni(100)))
        .isNotEqualTo(path(VTEP_A, VTEP_B, UDP, vxlanWithVni(101)));
    assertThat(path(VTEP_A, VTEP_B, UDP, vxlanWithVni(100)))
        .isNotEqualTo(path(VTEP_A, v4(10, 99, 0, 3), UDP, vxlanWithVni(100)));
    assertThat(path(VTEP_A, VTEP_B, GRE, erspanSession(1)))
        .isNotEqualTo(path(VTEP_A, VTEP_B, GRE, erspanSession(2)));
    byte[] keyed1 =
        gre(
            0x2000,
            0x0800,
            ipv4(
                TCP,
                v4(192, 168, 50, 11),
                v4(192, 168, 50, 12),
                tcp(41011, 8000, 0x18, payload(6))));
    byte[] keyed2 = keyed1.clone();
    keyed2[7] ^= 1; // the GRE key's last byte
    assertThat(path(VTEP_A, VTEP_B, GRE, keyed1)).isNotEqualTo(path(VTEP_A, VTEP_B, GRE, keyed2));
  }
}
