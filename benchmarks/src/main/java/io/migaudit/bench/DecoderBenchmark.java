package io.migaudit.bench;

import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.InternetChecksum;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.source.CapturedPacket;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding one frame: untagged IPv4/TCP, 802.1Q IPv4/TCP and IPv6/TCP, cut to 128 bytes as in the
 * bench capture; and whole UDP datagrams on no tunnel's port, which the UDP tunnel probe reads:
 * 1200 random bytes (QUIC, WireGuard), and an IPv4/TCP segment in clear (OpenVPN without a key);
 * and a RoCEv2 RDMA WRITE of 1,024 bytes, whole (its ICRC checked) and cut to 128 bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class DecoderBenchmark {
  private static final int SNAP = 128;

  private final PacketDecoder decoder = new PacketDecoder();
  private final DecodedPacket out = new DecodedPacket();
  private CapturedPacket ipv4;
  private CapturedPacket vlan;
  private CapturedPacket ipv6;
  private CapturedPacket randomUdp;
  private CapturedPacket tunnelledUdp;
  private CapturedPacket rdmaWrite;
  private CapturedPacket rdmaWriteCut;

  @Setup
  public void frames() {
    byte[] segment = new byte[1448];
    ipv4 = Frames.ipv4Tcp(-1, 0xC6121414, 0xC6121415, 41011, 8000, 0x18, segment, SNAP);
    vlan = Frames.ipv4Tcp(200, 0xC612140B, 0xC6121415, 41012, 8000, 0x18, segment, SNAP);
    ipv6 = Frames.ipv6Tcp(0x13, 0x23, 41013, 8000, 0x18, segment, SNAP);
    byte[] random = new byte[1200];
    new SplittableRandom(7).nextBytes(random);
    randomUdp = Frames.ipv4Udp(0xC6121414, 0xC6121415, 50123, 443, random);
    CapturedPacket inner =
        Frames.ipv4Tcp(-1, 0xC0A8320B, 0xC0A8320C, 41011, 8000, 0x18, new byte[1300], 1_000_000);
    byte[] packet = new byte[inner.data.limit() - 14];
    inner.data.get(14, packet);
    InternetChecksum.writeIpv4(packet);
    tunnelledUdp = Frames.ipv4Udp(0x0A0A000B, 0x0A0A000C, 1194, 1194, packet);
    decoder.decode(tunnelledUdp, out);
    if (out.dstPort != 8000) {
      throw new IllegalStateException("the probe did not find the tunnelled segment");
    }
    decoder.decode(randomUdp, out);
    if (out.dstPort != 443) {
      throw new IllegalStateException("random bytes taken for a tunnel");
    }
    rdmaWrite = Frames.rdmaWriteMiddle(0xC0A8320B, 0xC0A8320C, new byte[1024], 1_000_000);
    rdmaWriteCut = Frames.rdmaWriteMiddle(0xC0A8320B, 0xC0A8320C, new byte[1024], SNAP);
    for (CapturedPacket p : new CapturedPacket[] {rdmaWrite, rdmaWriteCut}) {
      if (decoder.decode(p, out) != DecodeIssue.NONE
          || out.ipProtocol != DecodedPacket.PROTOCOL_ROCEV2) {
        throw new IllegalStateException("the RDMA WRITE did not decode as RoCEv2");
      }
    }
  }

  @Benchmark
  public DecodeIssue rdmaWriteWhole() {
    return decoder.decode(rdmaWrite, out);
  }

  @Benchmark
  public DecodeIssue rdmaWriteCut() {
    return decoder.decode(rdmaWriteCut, out);
  }

  @Benchmark
  public DecodeIssue randomUdpDatagram() {
    return decoder.decode(randomUdp, out);
  }

  @Benchmark
  public DecodeIssue udpTunnelledIpv4Tcp() {
    return decoder.decode(tunnelledUdp, out);
  }

  @Benchmark
  public DecodeIssue ipv4Tcp() {
    return decoder.decode(ipv4, out);
  }

  @Benchmark
  public DecodeIssue vlanIpv4Tcp() {
    return decoder.decode(vlan, out);
  }

  @Benchmark
  public DecodeIssue ipv6Tcp() {
    return decoder.decode(ipv6, out);
  }
}
