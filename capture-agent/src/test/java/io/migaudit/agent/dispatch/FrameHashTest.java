package io.migaudit.agent.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.flow.FlowKey;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.PcapFileSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The flow hash read from a frame's bytes is the decoder's: for every frame of every sample and
 * test capture, and for mutations of them, a hashed frame decodes, and to that hash.
 */
class FrameHashTest {
  private static final int MUTATIONS_PER_FRAME = 12;

  private final PacketDecoder decoder = new PacketDecoder();
  private final CapturedPacket captured = new CapturedPacket();
  private final DecodedPacket decoded = new DecodedPacket();

  static List<Path> captures() throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(Path.of("../samples"))) {
      dirs.map(d -> d.resolve("capture.pcap")).filter(Files::isRegularFile).forEach(found::add);
    }
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/captures"))) {
      files.filter(f -> f.toString().matches(".*\\.(pcap|pcapng|pcap\\.gz)$")).forEach(found::add);
    }
    found.sort(null);
    return found;
  }

  @Test
  void aHashedFrameDecodesToThatHash() throws IOException {
    Random random = new Random(18);
    long frames = 0;
    long hashed = 0;
    long mutatedHashed = 0;
    for (Path capture : captures()) {
      try (PcapFileSource source = PcapFileSource.open(capture)) {
        CapturedPacket in = new CapturedPacket();
        while (source.next(in)) {
          byte[] frame = new byte[in.capturedLength()];
          in.data.get(0, frame);
          frames++;
          if (check(capture, in.linkType, frame, in.originalLength)) {
            hashed++;
          }
          for (int m = 0; m < MUTATIONS_PER_FRAME; m++) {
            byte[] mutated = mutate(random, frame);
            if (check(capture, in.linkType, mutated, Math.max(in.originalLength, mutated.length))) {
              mutatedHashed++;
            }
          }
        }
      }
    }
    assertThat(frames).isGreaterThan(1000);
    assertThat(hashed).as("plain TCP frames hashed from their bytes").isGreaterThan(frames / 2);
    assertThat(mutatedHashed).as("mutated frames still hashed").isPositive();
  }

  @Test
  void otherFramesAreLeftToTheDecoder() {
    byte[] tcp = ipv4Tcp(0, 40000, 8000);
    assertThat(FrameHash.of(PacketDecoder.LINKTYPE_ETHERNET, tcp, 0, tcp.length))
        .isNotEqualTo(FrameHash.UNKNOWN);
    byte[] udp = tcp.clone();
    udp[14 + 9] = 17;
    assertThat(FrameHash.of(PacketDecoder.LINKTYPE_ETHERNET, udp, 0, udp.length))
        .as("UDP (may carry a tunnel)")
        .isEqualTo(FrameHash.UNKNOWN);
    byte[] fragment = tcp.clone();
    fragment[14 + 6] = 0x20; // more fragments
    assertThat(FrameHash.of(PacketDecoder.LINKTYPE_ETHERNET, fragment, 0, fragment.length))
        .as("a fragment")
        .isEqualTo(FrameHash.UNKNOWN);
    assertThat(FrameHash.of(PacketDecoder.LINKTYPE_LINUX_SLL, tcp, 0, tcp.length))
        .as("another link type")
        .isEqualTo(FrameHash.UNKNOWN);
    assertThat(FrameHash.of(PacketDecoder.LINKTYPE_ETHERNET, tcp, 0, 14 + 20 + 19))
        .as("a TCP header cut short")
        .isEqualTo(FrameHash.UNKNOWN);
  }

  @Test
  void bothDirectionsAndAnOffsetInTheBufferGiveOneHash() {
    byte[] there = ipv4Tcp(0, 40000, 8000);
    byte[] back = ipv4Tcp(1, 8000, 40000);
    long h = FrameHash.of(PacketDecoder.LINKTYPE_ETHERNET, there, 0, there.length);
    assertThat(FrameHash.of(PacketDecoder.LINKTYPE_ETHERNET, back, 0, back.length)).isEqualTo(h);
    byte[] padded = new byte[there.length + 7];
    System.arraycopy(there, 0, padded, 7, there.length);
    assertThat(FrameHash.of(PacketDecoder.LINKTYPE_ETHERNET, padded, 7, there.length)).isEqualTo(h);
  }

  /**
   * Ethernet, IPv4 10.0.0.1 to 10.0.0.2 ({@code reverse}: the other way), TCP with 8 payload bytes.
   */
  private static byte[] ipv4Tcp(int reverse, int srcPort, int dstPort) {
    ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + 8);
    b.position(12);
    b.putShort((short) 0x0800);
    b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 20 + 8));
    b.putInt(0).put((byte) 64).put((byte) 6).putShort((short) 0);
    b.putInt(reverse == 0 ? 0x0A000001 : 0x0A000002).putInt(reverse == 0 ? 0x0A000002 : 0x0A000001);
    b.putShort((short) srcPort).putShort((short) dstPort).putInt(1).putInt(0);
    b.put((byte) 0x50).put((byte) 0x18).putShort((short) 512).putInt(0);
    return b.array();
  }

  /** True when the frame was hashed; then it must decode to that hash. */
  private boolean check(Path capture, int linkType, byte[] frame, int originalLength) {
    long hash = FrameHash.of(linkType, frame, 0, frame.length);
    if (hash == FrameHash.UNKNOWN) {
      return false;
    }
    captured.linkType = linkType;
    captured.originalLength = originalLength;
    captured.data = ByteBuffer.wrap(frame);
    DecodeIssue issue = decoder.decode(captured, decoded);
    assertThat(issue)
        .as("%s: a hashed frame decodes: %s", capture, Arrays.toString(frame))
        .isEqualTo(DecodeIssue.NONE);
    assertThat(FlowKey.symmetricHash(decoded))
        .as("%s: the decoder's hash of %s", capture, Arrays.toString(frame))
        .isEqualTo((int) hash);
    return true;
  }

  /** One to three bytes of the first 80 changed, or the frame cut. */
  private static byte[] mutate(Random random, byte[] frame) {
    if (frame.length == 0) {
      return frame;
    }
    if (random.nextInt(8) == 0) {
      return Arrays.copyOf(frame, random.nextInt(frame.length));
    }
    byte[] m = frame.clone();
    for (int i = 1 + random.nextInt(3); i > 0; i--) {
      int at = random.nextInt(Math.min(80, m.length));
      m[at] =
          random.nextInt(4) == 0
              ? (byte) random.nextInt(256)
              : (byte) (m[at] ^ (1 << random.nextInt(8)));
    }
    return m;
  }
}
