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
  private static final DateTimeFormatter TCPDUMP_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

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
    // 802.1ad_QinQ.out: "ethertype 802.1Q-QinQ (0x88a8), ...: vlan 200, ..., vlan 2001, ..., ethertype ARP"
    CorpusReader.Capture c = CorpusReader.read(CorpusReader.bundled("802.1ad_QinQ.pcap"));

    assertThat(c.packets()).hasSize(2).allSatisfy(p -> {
      assertThat(p.issue()).isEqualTo(DecodeIssue.NOT_IP);
      assertThat(p.outerVlan()).isEqualTo(200);
      assertThat(p.vlan()).isEqualTo(2001);
      assertThat(p.layers()).containsExactly(Layer.ETHERNET, Layer.QINQ, Layer.VLAN);
      assertThat(p.originalLength()).isEqualTo(64);
    });
  }

  @Test
  void espPacketsMatchSpiSequenceAddressesAndLength() throws Exception {
    Pattern line = Pattern.compile(".* IP (\\S+) > (\\S+): ESP\\(spi=0x(\\p{XDigit}+),seq=0x(\\p{XDigit}+)\\), length (\\d+)");
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
  void vxlanFramesMatchTimeLengthAddressesAndPorts() throws Exception {
    Pattern line = Pattern.compile(" +\\d+  (\\S+ \\S+) .*, length (\\d+): "
        + "(\\d+\\.\\d+\\.\\d+\\.\\d+)\\.(\\d+) > (\\d+\\.\\d+\\.\\d+\\.\\d+)\\.(\\d+): VXLAN.*");
    List<String> lines = CorpusReader.packetLines(CorpusReader.bundled("vxlan.out"));
    CorpusReader.Capture c = CorpusReader.read(CorpusReader.bundled("vxlan.pcap"));

    assertThat(c.packets()).hasSameSizeAs(lines).hasSize(10);
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = line.matcher(lines.get(i));
      assertThat(m.matches()).as(lines.get(i)).isTrue();
      CorpusReader.Seen p = c.packets().get(i);
      assertThat(p.issue()).isEqualTo(DecodeIssue.NONE);
      assertThat(p.micros()).isEqualTo(micros(m.group(1)));
      assertThat(p.originalLength()).isEqualTo(Integer.parseInt(m.group(2)));
      assertThat(p.srcLo()).isEqualTo(v4(m.group(3)));
      assertThat(p.srcPort()).isEqualTo(Integer.parseInt(m.group(4)));
      assertThat(p.dstLo()).isEqualTo(v4(m.group(5)));
      assertThat(p.dstPort()).isEqualTo(Integer.parseInt(m.group(6)));
      assertThat(p.protocol()).isEqualTo(17);
      assertThat(p.ipLength()).isEqualTo(p.originalLength() - 14);
    }
  }

  @Test
  void snapCutUdpEncapsulatedEspKeepsPortsAndWireLength() throws Exception {
    // esp_truncated.out: "2020-11-19 12:07:26.999999 IP 0.254.92.182.4500 > 255.127.255.121.8472: UDP-encap: ESP(spi=0xc0f7d4c3 [|esp]"
    CorpusReader.Seen p = CorpusReader.read(CorpusReader.bundled("esp_truncated.pcap")).packets().get(0);

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
    // bigtcp-ipv4-vxlan-ipv4.out: "proto UDP (17), length 80102 [was 0, presumed BIG TCP]) 10.25.132.11.47044 > 10.25.132.13.4789"
    CorpusReader.Seen p = CorpusReader.read(CorpusReader.bundled("bigtcp-ipv4-vxlan-ipv4.pcap.gz")).packets().get(0);

    assertThat(p.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(p.ipLength()).isEqualTo(80102);
    assertThat(p.srcLo()).isEqualTo(v4("10.25.132.11"));
    assertThat(p.srcPort()).isEqualTo(47044);
    assertThat(p.dstPort()).isEqualTo(4789);
    assertThat(p.payloadWire()).isEqualTo(80102 - 28);
    assertThat(p.payloadCaptured()).isEqualTo(80102 - 28);
  }

  @Test
  void bigTcpIpv6TakesItsLengthFromTheFrame() throws Exception {
    // bigtcp-ipv6-vxlan-ipv6.out: "payload length 0) [real length 80142, presumed BIG TCP] 2604:1380:4091:ce00::d.37059 > 2604:1380:4091:ce00::b.4789"
    CorpusReader.Seen p = CorpusReader.read(CorpusReader.bundled("bigtcp-ipv6-vxlan-ipv6.pcap.gz")).packets().get(0);

    assertThat(p.issue()).isEqualTo(DecodeIssue.NONE);
    assertThat(p.ipVersion()).isEqualTo(6);
    assertThat(p.ipLength()).isEqualTo(80142);
    assertThat(p.srcHi()).isEqualTo(0x2604_1380_4091_ce00L);
    assertThat(p.srcLo()).isEqualTo(0xdL);
    assertThat(p.dstLo()).isEqualTo(0xbL);
    assertThat(p.srcPort()).isEqualTo(37059);
    assertThat(p.dstPort()).isEqualTo(4789);
  }

  @Test
  void gsoFrameUsesItsTotalLength() throws Exception {
    // gso-ipv4-vxlan-ipv4.out: "proto UDP (17), length 7092) 10.25.132.11.60345 > 10.25.132.13.4789"
    CorpusReader.Seen p = CorpusReader.read(CorpusReader.bundled("gso-ipv4-vxlan-ipv4.pcap.gz")).packets().get(0);

    assertThat(p.ipLength()).isEqualTo(7092);
    assertThat(p.srcPort()).isEqualTo(60345);
    assertThat(p.dstPort()).isEqualTo(4789);
  }

  @Test
  void rawIpv6WalksDestinationOptionsToGre() throws Exception {
    // erspan-type-iii-pb-1.out: "IP6 (... next-header DSTOPT (60), payload length 288) 4120:7467:1700:4200:143:100:7f01:400e > ... GREv0"
    CorpusReader.Seen p = CorpusReader.read(CorpusReader.bundled("erspan-type-iii-pb-1.pcap")).packets().get(0);

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
        .extracting(CorpusReader.Seen::issue).containsExactly(DecodeIssue.NOT_IP, DecodeIssue.IPV4_BAD_VERSION);
    // gre-heapoverflow-2.out: "ethertype Unknown (0x3030)", then "proto GRE (47), length 12336 ... 48.48.48.48 > 48.48.48.48"
    List<CorpusReader.Seen> second = CorpusReader.read(CorpusReader.bundled("gre-heapoverflow-2.pcap")).packets();
    assertThat(second).extracting(CorpusReader.Seen::issue).containsExactly(DecodeIssue.NOT_IP, DecodeIssue.NONE);
    assertThat(second.get(1).protocol()).isEqualTo(47);
    assertThat(second.get(1).ipLength()).isEqualTo(12336);
    assertThat(second.get(1).srcLo()).isEqualTo(v4("48.48.48.48"));
    // ip6_frag_asan.out: "frag ( [|frag6]"
    assertThat(CorpusReader.read(CorpusReader.bundled("ip6_frag_asan.pcap")).packets())
        .extracting(CorpusReader.Seen::issue).containsExactly(DecodeIssue.IPV6_EXTENSION_HEADER_TOO_SHORT);
    // ipv6_frag6_negative_len.out: "payload length 0 ... frag (...|[length < 0] (invalid))"
    assertThat(CorpusReader.read(CorpusReader.bundled("ipv6_frag6_negative_len.pcap")).packets())
        .extracting(CorpusReader.Seen::issue).containsExactly(DecodeIssue.IPV6_BAD_EXTENSION_HEADER);
  }

  @Test
  void variousGreHasThirtyIpFramesAmongAHundred() throws Exception {
    // various_gre.out (not copied): 100 numbered lines; 30 start with "IP", the rest are STP, CDP, DTP, Loopback
    CorpusReader.Capture c = CorpusReader.read(CorpusReader.bundled("various_gre.pcap.gz"));

    assertThat(c.packets()).hasSize(100);
    assertThat(c.count(DecodeIssue.NONE)).isEqualTo(30);
    assertThat(c.count(DecodeIssue.NOT_IP)).isEqualTo(70);
  }
}
