package io.migaudit.bench;

import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.source.CapturedPacket;
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
 * bench capture.
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

  @Setup
  public void frames() {
    byte[] segment = new byte[1448];
    ipv4 = Frames.ipv4Tcp(-1, 0xC6121414, 0xC6121415, 41011, 8000, 0x18, segment, SNAP);
    vlan = Frames.ipv4Tcp(200, 0xC612140B, 0xC6121415, 41012, 8000, 0x18, segment, SNAP);
    ipv6 = Frames.ipv6Tcp(0x13, 0x23, 41013, 8000, 0x18, segment, SNAP);
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
