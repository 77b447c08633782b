package io.migaudit.agent.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Decoded facts checked against tcpdump's own decoding ({@code .out}) of the bundled captures. */
class TcpdumpTruthTest {
  private static final DateTimeFormatter TCPDUMP_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private static long micros(String tcpdumpTime) {
    LocalDateTime t = LocalDateTime.parse(tcpdumpTime, TCPDUMP_TIME); // tcpdump's tests run in UTC
    return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1_000;
  }

  private static long v4(String dotted) {
    long value = 0;
    for (String part : dotted.split("\\.")) {
      value = (value << 8) | Integer.parseInt(part);
    }
    return value;
  }

  @Test
  void qinqFramesCarryOuterVlan200AndInnerVlan2001() throws Exception {
    // 802.1ad_QinQ.out: "ethertype 802.1Q-QinQ (0x88a8), ...: vlan 200, ..., vlan 2001, ...,
    // ethertype ARP"
    CorpusReader.Capture c = CorpusReader.read(CorpusReader.bundled("802.1ad_QinQ.pcap"));

    assertThat(c.packets())
        .hasSize(2)
        .allSatisfy(
            p -> {
              assertThat(p.issue()).isEqualTo(DecodeIssue.NOT_IP);
              assertThat(p.outerVlan()).isEqualTo(200);
              assertThat(p.vlan()).isEqualTo(2001);
              assertThat(p.layers()).containsExactly(Layer.ETHERNET, Layer.QINQ, Layer.VLAN);
              assertThat(p.originalLength()).isEqualTo(64);
            });
  }

  @Test
  void espPacketsMatchSpiSequenceAddressesAndLength() throws Exception {
    Pattern line =
        Pattern.compile(
            ".* IP (\\S+) > (\\S+): ESP\\(spi=0x(\\p{XDigit}+),seq=0x(\\p{XDigit}+)\\), length (\\d+)");
    List<String> lines = CorpusReader.packetLines(CorpusReader.bundled("esp0.out"));
    CorpusReader.Capture c = CorpusReader.read(CorpusReader.bundled("02-sunrise-sunset-esp.pcap"));

    assertThat(c.packets()).hasSameSizeAs(lines).hasSize(8);
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = line.matcher(lines.get(i));
      assertThat(m.matches()).as(lines.get(i)).isTrue();
      CorpusReader.Seen p = c.packets().get(i);
      assertThat(p.issue()).isEqualTo(DecodeIssue.NONE);
      assertThat(p.protocol()).isEqualTo(50);
      assertThat(p.srcLo()).isEqualTo(v4(m.group(1)));
      assertThat(p.dstLo()).isEqualTo(v4(m.group(2)));
      assertThat(p.srcPort()).isZero();
      ByteBuffer head = ByteBuffer.wrap(p.payloadHead());
      assertThat(Integer.toUnsignedLong(head.getInt(0))).isEqualTo(Long.parseLong(m.group(3), 16));
      assertThat(Integer.toUnsignedLong(head.getInt(4))).isEqualTo(Long.parseLong(m.group(4), 16));
      assertThat(p.payloadWire()).as("ESP length").isEqualTo(Integer.parseInt(m.group(5)));
    }
  }

  @Test
  void vxlanFramesMatchTimeLengthAndTheirInnerPacket() throws Exception {
    // vxlan.out, with -e: the outer frame's line, then the inner frame's:
    // "... length 98: 192.168.203.3 > 192.168.203.5: ICMP echo request" or "... ethertype ARP ..."
    Pattern outer =
        Pattern.compile(" +\\d+  (\\S+ \\S+) .*, length (\\d+): .*: VXLAN, flags \\[I\\].*");
    Pattern inner =
        Pattern.compile(".*ethertype (\\S+) .*, length (\\d+): (?:(\\S+) > (\\S+): ICMP.*|.*)");
    List<String> blocks = TunnelTruthTest.packetBlocks(CorpusReader.bundled("vxlan.out"));
    CorpusReader.Capture c = CorpusReader.read(CorpusReader.bundled("vxlan.pcap"));

    assertThat(c.packets()).hasSameSizeAs(blocks).hasSize(10);
    for (int i = 0; i < blocks.size(); i++) {
      String[] lines = blocks.get(i).split("\n");
      Matcher o = outer.matcher(lines[0]);
      Matcher in = inner.matcher(lines[1]);
      assertThat(o.matches()).as(lines[0]).isTrue();
      assertThat(in.matches()).as(lines[1]).isTrue();
      CorpusReader.Seen p = c.packets().get(i);
      assertThat(p.micros()).isEqualTo(micros(o.group(1)));
      assertThat(p.originalLength()).isEqualTo(Integer.parseInt(o.group(2)));
      assertThat(p.layers())
          .containsExactly(Layer.ETHERNET, Layer.IPV4, Layer.VXLAN, Layer.ETHERNET);
      if (in.group(1).equals("ARP")) {
        assertThat(p.issue()).isEqualTo(DecodeIssue.NOT_IP);
        continue;
      }
      assertThat(p.issue()).isEqualTo(DecodeIssue.NONE);
      assertThat(p.srcLo()).isEqualTo(v4(in.group(3)));
      assertThat(p.dstLo()).isEqualTo(v4(in.group(4)));
      assertThat(p.protocol()).isEqualTo(1);
      assertThat(p.srcPort()).isZero();
      assertThat(p.ipLength()).isEqualTo(Integer.parseInt(in.group(2)) - 14);
    }
  }

  @Test
  void snapCutUdpEncapsulatedEspKeepsPortsAndWireLength() throws Exception {
    // esp_truncated.out: "2020-11-19 12:07:26.999999 IP 0.254.92.182.4500 > 255.127.255.121.8472:
    // UDP-encap: ESP(spi=0xc0f7d4c3 [|esp]"
    CorpusReader.Seen p =
        CorpusReader.read(CorpusReader.bundled("esp_truncated.pcap")).packets().get(0);

    assertThat(p.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(p.micros()).isEqualTo(micros("2020-11-19 12:07:26.999999"));
    assertThat(p.srcLo()).isEqualTo(v4("0.254.92.182"));
    assertThat(p.dstLo()).isEqualTo(v4("255.127.255.121"));
    assertThat(p.srcPort()).isEqualTo(4500);
    assertThat(p.dstPort()).isEqualTo(8472);
    assertThat(p.payloadHead()).containsExactly(0xc0, 0xf7, 0xd4, 0xc3);
    assertThat(p.payloadWire()).isEqualTo(0x46 - 20 - 8);
  }

  @Test
  void bigTcpIpv4TakesItsLengthFromTheFrame() throws Exception {
    // bigtcp-ipv4-vxlan-ipv4.out: "proto UDP (17), length 80102 [was 0, presumed BIG TCP])
    // 10.25.132.11.47044 > 10.25.132.13.4789:
    // VXLAN ... proto TCP (6), length 80052 [was 0, presumed BIG TCP]) 192.168.1.2.36875 >
    // 192.168.1.1.36449: ... length 80000"
    CorpusReader.Seen p =
        CorpusReader.read(CorpusReader.bundled("bigtcp-ipv4-vxlan-ipv4.pcap.gz")).packets().get(0);

    assertThat(p.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(p.layers()).containsExactly(Layer.ETHERNET, Layer.IPV4, Layer.VXLAN, Layer.ETHERNET);
    assertThat(p.ipLength()).isEqualTo(80052);
    assertThat(p.srcLo()).isEqualTo(v4("192.168.1.2"));
    assertThat(p.srcPort()).isEqualTo(36875);
    assertThat(p.dstPort()).isEqualTo(36449);
    assertThat(p.payloadWire()).isEqualTo(80000);
    assertThat(p.payloadCaptured()).isEqualTo(80000);
  }

  @Test
  void bigTcpIpv6TakesItsLengthFromTheFrame() throws Exception {
    // bigtcp-ipv6-vxlan-ipv6.out: "payload length 0) [real length 80142, presumed BIG TCP]
    // 2604:1380:4091:ce00::d.37059 >
    // 2604:1380:4091:ce00::b.4789: ... VXLAN ... [real length 80072, presumed BIG TCP]
    // fd00::1.40007 > fd00::2.40607: ... length 80000"
    CorpusReader.Seen p =
        CorpusReader.read(CorpusReader.bundled("bigtcp-ipv6-vxlan-ipv6.pcap.gz")).packets().get(0);

    assertThat(p.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(p.layers()).containsExactly(Layer.ETHERNET, Layer.IPV6, Layer.VXLAN, Layer.ETHERNET);
    assertThat(p.ipVersion()).isEqualTo(6);
    assertThat(p.ipLength()).isEqualTo(80072);
    assertThat(p.srcHi()).isEqualTo(0xfd00_0000_0000_0000L);
    assertThat(p.srcLo()).isEqualTo(0x1L);
    assertThat(p.dstLo()).isEqualTo(0x2L);
    assertThat(p.srcPort()).isEqualTo(40007);
    assertThat(p.dstPort()).isEqualTo(40607);
    assertThat(p.payloadWire()).isEqualTo(80000);
  }

  @Test
  void gsoFrameUsesItsTotalLength() throws Exception {
    // gso-ipv4-vxlan-ipv4.out: "proto UDP (17), length 7092) 10.25.132.11.60345 >
    // 10.25.132.13.4789: VXLAN ...
    // proto TCP (6), length 7042) 192.168.1.2.37099 > 192.168.1.1.41547: ... length 6990"
    CorpusReader.Seen p =
        CorpusReader.read(CorpusReader.bundled("gso-ipv4-vxlan-ipv4.pcap.gz")).packets().get(0);

    assertThat(p.ipLength()).isEqualTo(7042);
    assertThat(p.srcPort()).isEqualTo(37099);
    assertThat(p.dstPort()).isEqualTo(41547);
    assertThat(p.payloadWire()).isEqualTo(6990);
  }

  @Test
  void rawIpv6WalksDestinationOptionsToGre() throws Exception {
    // erspan-type-iii-pb-1.out: "IP6 (... next-header DSTOPT (60), payload length 288)
    // 4120:7467:1700:4200:143:100:7f01:400e > ... GREv0"
    CorpusReader.Seen p =
        CorpusReader.read(CorpusReader.bundled("erspan-type-iii-pb-1.pcap")).packets().get(0);

    assertThat(p.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(p.layers()).containsExactly(Layer.RAW_IP);
    assertThat(p.ipLength()).isEqualTo(40 + 288);
    assertThat(p.srcHi()).isEqualTo(0x4120_7467_1700_4200L);
    assertThat(p.srcLo()).isEqualTo(0x0143_0100_7f01_400eL);
    assertThat(p.protocol()).isEqualTo(47);
  }

  @Test
  void fuzzCasesAreNamedMalformationsOrNotIp() throws Exception {
    // gre-heapoverflow-1.out: "ethertype Unknown (0x3030)", then "IP [version 0 != 4] (invalid)"
    assertThat(CorpusReader.read(CorpusReader.bundled("gre-heapoverflow-1.pcap")).packets())
        .extracting(CorpusReader.Seen::issue)
        .containsExactly(DecodeIssue.NOT_IP, DecodeIssue.IPV4_BAD_VERSION);
    // gre-heapoverflow-2.out: "ethertype Unknown (0x3030)", then "proto GRE (47), length 12336 ...
    // 48.48.48.48 > 48.48.48.48"
    List<CorpusReader.Seen> second =
        CorpusReader.read(CorpusReader.bundled("gre-heapoverflow-2.pcap")).packets();
    assertThat(second)
        .extracting(CorpusReader.Seen::issue)
        .containsExactly(DecodeIssue.NOT_IP, DecodeIssue.NONE);
    assertThat(second.get(1).protocol()).isEqualTo(47);
    assertThat(second.get(1).ipLength()).isEqualTo(12336);
    assertThat(second.get(1).srcLo()).isEqualTo(v4("48.48.48.48"));
    // ip6_frag_asan.out: "frag ( [|frag6]"
    assertThat(CorpusReader.read(CorpusReader.bundled("ip6_frag_asan.pcap")).packets())
        .extracting(CorpusReader.Seen::issue)
        .containsExactly(DecodeIssue.IPV6_EXTENSION_HEADER_TOO_SHORT);
    // ipv6_frag6_negative_len.out: "payload length 0 ... frag (...|[length < 0] (invalid))"
    assertThat(CorpusReader.read(CorpusReader.bundled("ipv6_frag6_negative_len.pcap")).packets())
        .extracting(CorpusReader.Seen::issue)
        .containsExactly(DecodeIssue.IPV6_BAD_EXTENSION_HEADER);
  }

  @Test
  void variousGreHasThirtyIpFramesAmongAHundred() throws Exception {
    // various_gre.out (not copied): 100 numbered lines; 30 start with "IP", the rest are STP, CDP,
    // DTP, Loopback
    CorpusReader.Capture c = CorpusReader.read(CorpusReader.bundled("various_gre.pcap.gz"));

    assertThat(c.packets()).hasSize(100);
    assertThat(c.count(DecodeIssue.NONE)).isEqualTo(30);
    assertThat(c.count(DecodeIssue.NOT_IP)).isEqualTo(70);
  }
}
