package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Builds decoded packets by hand for flow table tests (no decoder involved). */
final class Packets {
  static final int SYN = 0x02;
  static final int ACK = 0x10;
  static final int FIN = 0x01;
  static final int RST = 0x04;
  static final int PSH = 0x08;

  /** Next sequence number of each sender (host and port), as a real one would number its bytes. */
  private static final Map<Long, Integer> NEXT_SEQ = new ConcurrentHashMap<>();

  private Packets() {}

  /**
   * A TCP/IPv4 packet between 10.0.0.a and 10.0.0.b with {@code payload} bytes of value 'x',
   * numbered in its sender's sequence space (each sender's bytes follow on; a SYN takes one
   * number).
   */
  /** Guest-memory-like bytes: text lines and zero runs, 4 KiB pages of each in turn. */
  static byte[] readablePages(int n) {
    byte[] out = new byte[n];
    byte[] line =
        "kernel: eth0: link up, 10000 Mbps, full duplex; process 4242 started\n"
            .getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < n; i++) {
      out[i] = (i / 4096) % 2 == 0 ? line[i % line.length] : 0;
    }
    return out;
  }

  static DecodedPacket tcp(
      long micros, int srcHost, int srcPort, int dstHost, int dstPort, int flags, int payload) {
    byte[] bytes = new byte[payload];
    Arrays.fill(bytes, (byte) 'x');
    return tcp(micros, srcHost, srcPort, dstHost, dstPort, flags, bytes, 0, payload);
  }

  /** The same with {@code length} payload bytes of {@code bytes} from {@code from}. */
  static DecodedPacket tcp(
      long micros,
      int srcHost,
      int srcPort,
      int dstHost,
      int dstPort,
      int flags,
      byte[] bytes,
      int from,
      int length) {
    DecodedPacket p = ipv4(micros, srcHost, srcPort, dstHost, dstPort, 6, bytes, from, length);
    p.tcpFlags = flags;
    p.ipLength = 40 + length;
    long sender = ((long) srcHost << 16) | srcPort;
    int seq = NEXT_SEQ.getOrDefault(sender, 1_000_000 * srcHost + srcPort);
    p.tcpSeq = seq;
    NEXT_SEQ.put(sender, seq + length + ((flags & SYN) != 0 ? 1 : 0));
    return p;
  }

  /** A UDP/IPv4 datagram of which the capture holds the first {@code captured} payload bytes. */
  static DecodedPacket udp(
      long micros,
      int srcHost,
      int srcPort,
      int dstHost,
      int dstPort,
      byte[] payload,
      int captured) {
    DecodedPacket p =
        ipv4(micros, srcHost, srcPort, dstHost, dstPort, 17, payload, 0, payload.length);
    p.ipLength = 28 + payload.length;
    p.payloadCapturedLength = captured;
    return p;
  }

  /**
   * A later IPv4 fragment of a TCP segment: no TCP header, so no ports; its payload is {@code
   * bytes[from, from + length)}.
   */
  static DecodedPacket laterFragment(
      long micros, int srcHost, int dstHost, byte[] bytes, int from, int length) {
    DecodedPacket p = ipv4(micros, srcHost, 0, dstHost, 0, 6, bytes, from, length);
    p.ipLength = 20 + length;
    p.fragment = true;
    p.ipv4Fragment = true;
    return p;
  }

  /** An ESP/IPv4 packet of which the capture holds the first {@code captured} payload bytes. */
  static DecodedPacket esp(long micros, int srcHost, int dstHost, byte[] payload, int captured) {
    DecodedPacket p = ipv4(micros, srcHost, 0, dstHost, 0, 50, payload, 0, payload.length);
    p.ipLength = 20 + payload.length;
    p.payloadCapturedLength = Math.min(captured, payload.length);
    return p;
  }

  private static DecodedPacket ipv4(
      long micros,
      int srcHost,
      int srcPort,
      int dstHost,
      int dstPort,
      int ipProtocol,
      byte[] bytes,
      int from,
      int length) {
    DecodedPacket p = new DecodedPacket();
    p.reset();
    p.timestampMicros = micros;
    p.ipVersion = 4;
    p.srcLo = 0x0A000000L | srcHost;
    p.dstLo = 0x0A000000L | dstHost;
    p.ipProtocol = ipProtocol;
    p.srcPort = srcPort;
    p.dstPort = dstPort;
    p.frame = ByteBuffer.wrap(bytes);
    p.payloadOffset = from;
    p.payloadCapturedLength = length;
    p.payloadWireLength = length;
    return p;
  }
}
