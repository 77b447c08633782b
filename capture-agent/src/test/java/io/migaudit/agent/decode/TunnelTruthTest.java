package io.migaudit.agent.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decapsulation checked against tcpdump's decoding: every frame of each ERSPAN, GRE, VXLAN and
 * Geneve capture decodes to the inner packet tcpdump prints after the tunnel header (addresses,
 * ports, IP protocol, ERSPAN VLAN), or to not-IP when tcpdump prints no inner IP packet. VXLAN on
 * port 8472 (Linux's default), which tcpdump reads as VXLAN when told to, is read as VXLAN too.
 * Captures come from the bundled copies, else from the shared corpus (skipped when neither has
 * them).
 */
class TunnelTruthTest {
  private static final Path SHARED =
      Path.of(
          System.getProperty(
              "migaudit.encapsulation.captures", "../../shared/captures/encapsulation"));

  /** Where tcpdump starts printing the tunnelled frame. */
  private static final Pattern TUNNEL =
      Pattern.compile("erspan type\\d[^:]*:|Geneve, [^\\n]*\\n|VXLAN, [^\\n]*\\n");

  private static final Pattern ERSPAN_VLAN =
      Pattern.compile("erspan type\\d [^:]*?(?:vlan|isl) (\\d+)");
  private static final Pattern INNER_ADDRESSES =
      Pattern.compile(
          "(\\d+\\.\\d+\\.\\d+\\.\\d+)(?:\\.(\\d+))? > (\\d+\\.\\d+\\.\\d+\\.\\d+)(?:\\.(\\d+))?:");
  private static final Pattern INNER_PROTOCOL = Pattern.compile("proto \\S+ \\((\\d+)\\)");

  private static Path capture(String name) {
    Path bundled = CorpusReader.bundled(name);
    if (Files.exists(bundled)) {
      return bundled;
    }
    Path shared = SHARED.resolve(name);
    assumeTrue(Files.exists(shared), "no " + name + " bundled or at " + SHARED.toAbsolutePath());
    return shared;
  }

  /** Each numbered packet of a tcpdump output with its continuation lines, as one string. */
  static List<String> packetBlocks(Path out) throws IOException {
    List<String> blocks = new ArrayList<>();
    StringBuilder current = null;
    for (String line : Files.readAllLines(out)) {
      if (CorpusReader.PACKET_LINE.matcher(line).matches()) {
        if (current != null) {
          blocks.add(current.toString());
        }
        current = new StringBuilder();
      }
      if (current != null) {
        current.append(line).append('\n');
      }
    }
    if (current != null) {
      blocks.add(current.toString());
    }
    return blocks;
  }

  private static long v4(String dotted) {
    long value = 0;
    for (String part : dotted.split("\\.")) {
      value = (value << 8) | Integer.parseInt(part);
    }
    return value;
  }

  private static int port(String group) {
    return group == null ? 0 : Integer.parseInt(group);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "erspan-type-i-1",
        "erspan-type-i-2",
        "erspan-type-ii-1",
        "erspan-type-ii-2",
        "erspan-type-ii-3",
        "erspan-type-iii-ft-0",
        "geneve-gcp",
        "geneve",
        "vxlan",
        "vxlan_port_8472"
      })
  void innerPacketsAreTheOnesTcpdumpPrints(String test) throws IOException {
    String[] names = test.split(":");
    Path pcap = capture(names[0] + ".pcap");
    String outName = names[0].equals("geneve") ? "geneve-vv.out" : names[0] + ".out";
    List<String> blocks = packetBlocks(pcap.resolveSibling(outName));
    List<CorpusReader.Seen> packets = CorpusReader.read(pcap).packets();

    assertThat(packets).hasSameSizeAs(blocks).isNotEmpty();
    int inner = 0;
    int vlans = 0;
    for (int i = 0; i < blocks.size(); i++) {
      String block = blocks.get(i);
      CorpusReader.Seen p = packets.get(i);
      Matcher tunnel = TUNNEL.matcher(block);
      assertThat(tunnel.find()).as(block).isTrue();
      Matcher vlan = ERSPAN_VLAN.matcher(block);
      if (vlan.find()) { // the mirrored frame's VLAN, whether or not it carries IP
        vlans++;
        assertThat(p.vlan()).as(block).isEqualTo(Integer.parseInt(vlan.group(1)));
      }
      String rest = block.substring(tunnel.end());
      Matcher addresses = INNER_ADDRESSES.matcher(rest);
      if (!rest.contains("IP (") && !rest.contains("ethertype IPv4") || !addresses.find()) {
        assertThat(p.issue()).as(block).isEqualTo(DecodeIssue.NOT_IP);
        continue;
      }
      inner++;
      assertThat(p.issue()).as(block).isEqualTo(DecodeIssue.NONE);
      assertThat(p.ipVersion()).isEqualTo(4);
      assertThat(p.srcLo()).as(block).isEqualTo(v4(addresses.group(1)));
      assertThat(p.srcPort()).as(block).isEqualTo(port(addresses.group(2)));
      assertThat(p.dstLo()).as(block).isEqualTo(v4(addresses.group(3)));
      assertThat(p.dstPort()).as(block).isEqualTo(port(addresses.group(4)));
      Matcher protocol = INNER_PROTOCOL.matcher(rest);
      if (protocol.find()) {
        assertThat(p.protocol()).as(block).isEqualTo(Integer.parseInt(protocol.group(1)));
      }
    }
    assertThat(inner + vlans).as("frames with an inner IP packet or an ERSPAN VLAN").isPositive();
  }

  @Test
  void erspanTypeIIIWithAnUnknownFrameTypeIsNamed() throws IOException {
    // erspan-type-iii-ft-7.out: "erspan type3 session 101 bso Bad cos 0 ft unknown 7: Frame type
    // unknown"
    assertThat(CorpusReader.read(capture("erspan-type-iii-ft-7.pcap")).packets())
        .isNotEmpty()
        .allSatisfy(
            p -> {
              assertThat(p.issue()).isEqualTo(DecodeIssue.ERSPAN_UNSUPPORTED_FRAME_TYPE);
              assertThat(p.layers())
                  .containsExactly(Layer.ETHERNET, Layer.IPV4, Layer.GRE, Layer.ERSPAN);
            });
  }

  @Test
  void erspanTypeIILayersRunFromTheCollectorPortToTheMirroredFrame() throws IOException {
    // erspan-type-ii-1.out: "1.1.1.2 > 192.168.255.5: GREv0, Flags [sequence# present] ... erspan
    // type2 session 666
    // ...: IP ... proto PIM (103) ... 10.48.6.1 > 224.0.0.13"
    CorpusReader.Seen p = CorpusReader.read(capture("erspan-type-ii-1.pcap")).packets().get(0);

    assertThat(p.layers())
        .containsExactly(Layer.ETHERNET, Layer.IPV4, Layer.GRE, Layer.ERSPAN, Layer.ETHERNET);
    assertThat(p.protocol()).isEqualTo(103);
    assertThat(p.ipLength()).isEqualTo(58);
    assertThat(p.srcLo()).isEqualTo(v4("10.48.6.1"));
  }

  @Test
  void geneveOptionsAreSkippedToTheInnerTcpSegment() throws IOException {
    // geneve-gcp.out: "192.168.100.254.62974 > 192.168.100.3.6081: ... Geneve ... options [... 40
    // bytes]
    // IP ... proto TCP (6), length 40) 192.168.100.2.2905 > 192.168.100.1.8080: Flags [none]"
    CorpusReader.Seen p = CorpusReader.read(capture("geneve-gcp.pcap")).packets().get(0);

    assertThat(p.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(p.ipLength()).isEqualTo(40);
    assertThat(p.payloadWire()).isZero();
    assertThat(p.srcPort()).isEqualTo(2905);
    assertThat(p.dstPort()).isEqualTo(8080);
  }

  @Test
  void udpEncapsulatedEspIsEspAsTcpdumpPrintsIt() throws IOException {
    // tcpdump -nr espudp1.pcap: "192.1.2.23.4500 > 192.1.2.45.4500: UDP-encap:
    // ESP(spi=0x12345678,seq=0x1), length 116", sequence 1 to 8
    List<CorpusReader.Seen> packets = CorpusReader.read(capture("espudp1.pcap")).packets();

    assertThat(packets).hasSize(8);
    for (int i = 0; i < packets.size(); i++) {
      CorpusReader.Seen p = packets.get(i);
      assertThat(p.issue()).isEqualTo(DecodeIssue.NONE);
      assertThat(p.protocol()).as("ESP").isEqualTo(50);
      assertThat(p.srcLo()).isEqualTo(v4("192.1.2.23"));
      assertThat(p.srcPort()).isEqualTo(4500);
      assertThat(p.dstPort()).isEqualTo(4500);
      assertThat(p.payloadWire()).as("tcpdump's ESP length").isEqualTo(116);
      assertThat(ByteBuffer.wrap(p.payloadHead()).getInt()).isEqualTo(0x12345678);
      assertThat(ByteBuffer.wrap(p.payloadHead()).getInt(4)).isEqualTo(i + 1);
    }
  }
}
