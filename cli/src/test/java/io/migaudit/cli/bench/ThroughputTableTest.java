package io.migaudit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.testsupport.CiGate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ThroughputTableTest {
  @Test
  void aPeerIsRatedByItsMedianRunWithTheRangeBeside() throws Exception {
    CiGate.require(PeerTimer.find("tcpdump") != null, "tcpdump is not installed");
    Path capture = Path.of("../samples/vmotion-plaintext/capture.pcap");
    long packets = 1_000_000; // only scales the rates printed
    PipelineBenchmark.Pass pass = new PipelineBenchmark.Pass(packets, 1, 1, 1_000_000, 1, 1, 0);
    StringWriter text = new StringWriter();
    new ThroughputTable(new PrintWriter(text), pass, pass).peers(capture, 3);

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
