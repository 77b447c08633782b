package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;

/**
 * Names IP protocol numbers (IANA "Assigned Internet Protocol Numbers") as flow records spell them,
 * and RoCEv2 ({@link DecodedPacket#PROTOCOL_ROCEV2}) as {@code rocev2}.
 */
final class TransportName {
  private TransportName() {}

  static String of(int ipProtocol) {
    return switch (ipProtocol) {
      case 6 -> "tcp";
      case 17 -> "udp";
      case 50 -> "esp";
      case 51 -> "ah";
      case 1 -> "icmp";
      case 58 -> "icmpv6";
      case 2 -> "igmp";
      case 47 -> "gre";
      case 132 -> "sctp";
      case DecodedPacket.PROTOCOL_ROCEV2 -> "rocev2";
      default -> "ip-" + ipProtocol;
    };
  }
}
