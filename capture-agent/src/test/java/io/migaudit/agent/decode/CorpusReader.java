package io.migaudit.agent.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.agent.source.SourceStats;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads real captures through PcapFileSource and PacketDecoder, checking invariants on every frame.
 */
final class CorpusReader {
  /** A numbered packet line of tcpdump's output (tests run it with {@code -#}). */
  static final Pattern PACKET_LINE = Pattern.compile("^ +(\\d+)  .*");

  private static final int HEAD_BYTES = 8;

  /** What the decoder made of one frame, copied out of the reused objects. */
  record Seen(
      DecodeIssue issue,
      long micros,
      int originalLength,
      int vlan,
      int outerVlan,
      List<Layer> layers,
      int ipVersion,
      long srcHi,
      long srcLo,
      long dstHi,
      long dstLo,
      int protocol,
      int ipLength,
      boolean fragment,
      int srcPort,
      int dstPort,
      int payloadCaptured,
      int payloadWire,
      byte[] payloadHead) {}

  record Capture(List<Seen> packets, SourceStats stats) {
    long count(DecodeIssue issue) {
      return packets.stream().filter(p -> p.issue() == issue).count();
    }
  }

  private CorpusReader() {}

  static Path bundledDirectory() {
    try {
      return Path.of(CorpusReader.class.getResource("/captures/README.md").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path bundled(String name) {
    return bundledDirectory().resolve(name);
  }

  /** Every .pcap and .pcap.gz in {@code dir}, sorted. */
  static List<Path> captures(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.toString().endsWith(".pcap") || f.toString().endsWith(".pcap.gz"))
          .sorted()
          .toList();
    }
  }

  static Capture read(Path file) throws IOException {
    List<Seen> seen = new ArrayList<>();
    PacketDecoder decoder = new PacketDecoder();
    CapturedPacket in = new CapturedPacket();
    DecodedPacket out = new DecodedPacket();
    try (PcapFileSource source = PcapFileSource.open(file)) {
      while (source.next(in)) {
        DecodeIssue issue = decoder.decode(in, out);
        checkInvariants(issue, in, out);
        seen.add(snapshot(issue, in, out));
      }
      return new Capture(seen, source.stats());
    }
  }

  private static void checkInvariants(DecodeIssue issue, CapturedPacket in, DecodedPacket out) {
    assertThat(issue).isNotNull();
    assertThat(out.layerCount).isBetween(1, DecodedPacket.MAX_LAYERS);
    if (issue != DecodeIssue.NONE) {
      return;
    }
    assertThat(out.ipVersion).isIn(4, 6);
    assertThat(out.frame).isSameAs(in.data);
    assertThat(out.payloadOffset).isBetween(0, in.capturedLength());
    assertThat(out.payloadCapturedLength).isBetween(0, in.capturedLength() - out.payloadOffset);
    assertThat(out.payloadCapturedLength).isLessThanOrEqualTo(out.payloadWireLength);
    boolean espInUdp = out.ipProtocol == 50 && (out.srcPort == 4500 || out.dstPort == 4500);
    if (out.fragment || (out.ipProtocol != 6 && out.ipProtocol != 17 && !espInUdp)) {
      assertThat(out.srcPort).isZero();
      assertThat(out.dstPort).isZero();
    }
  }

  private static Seen snapshot(DecodeIssue issue, CapturedPacket in, DecodedPacket out) {
    byte[] head = new byte[Math.min(HEAD_BYTES, out.payloadCapturedLength)];
    if (issue == DecodeIssue.NONE) {
      out.frame.get(out.payloadOffset, head);
    }
    return new Seen(
        issue,
        in.timestampMicros,
        in.originalLength,
        out.vlan,
        out.outerVlan,
        List.of(Arrays.copyOf(out.layers, out.layerCount)),
        out.ipVersion,
        out.srcHi,
        out.srcLo,
        out.dstHi,
        out.dstLo,
        out.ipProtocol,
        out.ipLength,
        out.fragment,
        out.srcPort,
        out.dstPort,
        out.payloadCapturedLength,
        out.payloadWireLength,
        head);
  }

  /** capture file name to tcpdump output file name, from the TESTLIST block of a README. */
  static Map<String, String> testList(Path readme) throws IOException {
    Map<String, String> outputs = new HashMap<>();
    if (!Files.exists(readme)) {
      return outputs;
    }
    for (String line : Files.readAllLines(readme)) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length >= 3 && fields[1].endsWith(".pcap") && fields[2].endsWith(".out")) {
        outputs.put(fields[1], fields[2]);
      }
    }
    return outputs;
  }

  /** The numbered packet lines of a tcpdump output file. */
  static List<String> packetLines(Path out) throws IOException {
    return Files.readAllLines(out).stream().filter(l -> PACKET_LINE.matcher(l).matches()).toList();
  }

  /** The name tcpdump's TESTLIST knows a capture by (our gzip copies drop the .gz). */
  static String testListName(Path capture) {
    String name = capture.getFileName().toString();
    return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
  }
}
