package io.migaudit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.testsupport.CiGate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ThroughputTableTest {
  private static final PipelineBenchmark.Pass TWO_MILLION =
      new PipelineBenchmark.Pass(2_000_000, 1, 1, 1_000_000_000, 1, 1, 0, 0);

  @Test
  void aPeerRowRatesTheMedianRunAndShowsTheSlowestAndFastest() {
    StringWriter text = new StringWriter();
    ThroughputTable table = new ThroughputTable(new PrintWriter(text), TWO_MILLION, TWO_MILLION);
    // 2,000,000 packets in 3, 1 and 2 s: 0.67, 2.00 and 1.00 M packets/s
    table.peerRow("peer", new long[] {3_000_000_000L, 1_000_000_000L, 2_000_000_000L});
    table.peerRow("once", new long[] {4_000_000_000L});
    assertThat(text.toString())
        .containsPattern("peer +1\\.00 M +0\\.50 +0\\.50 +\\(median of 3 runs; 0\\.67-2\\.00 M\\)")
        .containsPattern("once +0\\.50 M +0\\.25 +0\\.25 +\\n");
  }

  @Test
  void anInstalledPeerIsTimedAsOftenAsAsked() throws Exception {
    CiGate.require(PeerTimer.find("tcpdump") != null, "tcpdump is not installed");
    Path capture = Path.of("../samples/vmotion-plaintext/capture.pcap");
    StringWriter text = new StringWriter();
    // tcpdump alone: the other peers are for the bench, and CI need not install them all
    List<PeerTimer.Peer> tcpdump =
        PeerTimer.PEERS.stream().filter(p -> p.binary().equals("tcpdump")).toList();
    new ThroughputTable(new PrintWriter(text), TWO_MILLION, TWO_MILLION).peers(capture, 3, tcpdump);

    Matcher row =
        Pattern.compile(
                "tcpdump -r -w /dev/null \\(libpcap read floor\\) +(\\d+\\.\\d\\d) M .*"
                    + "\\(median of 3 runs; (\\d+\\.\\d\\d)-(\\d+\\.\\d\\d) M\\)")
            .matcher(text.toString());
    assertThat(row.find()).as(text.toString()).isTrue();
    double median = Double.parseDouble(row.group(1));
    assertThat(median)
        .isBetween(Double.parseDouble(row.group(2)), Double.parseDouble(row.group(3)));
  }
}
