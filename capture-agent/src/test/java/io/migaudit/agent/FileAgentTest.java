package io.migaudit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.record.FlowRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent over capture files: every file read, the truncated one reported, not refused. */
class FileAgentTest {
  private static final Path VMOTION = Path.of("../samples/vmotion-plaintext/capture.pcap");

  @TempDir Path dir;

  @Test
  void readsEveryFileThroughTheOpener() throws Exception {
    List<FlowRecord> records = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger opened = new AtomicInteger();
    PipelineCounters counters = new PipelineCounters();
    List<String> truncations =
        new FileAgent(AgentConfig.defaults("t"), records::add, counters, 2)
            .opening(
                f -> {
                  opened.incrementAndGet();
                  return PcapFileSource.open(f);
                })
            .read(List.of(VMOTION, VMOTION));
    assertThat(opened).hasValue(2);
    assertThat(truncations).isEmpty();
    assertThat(counters.packets()).isPositive();
    assertThat(records)
        .as("the vMotion flow once per file read, named by the file")
        .filteredOn(r -> r.dstPort() == 8000)
        .hasSize(2)
        .allMatch(r -> r.iface().equals(VMOTION.toString()));
  }

  @Test
  void reportsATruncatedFileWithThePacketsReadBeforeTheBreak() throws Exception {
    byte[] whole = Files.readAllBytes(VMOTION);
    Path cut = dir.resolve("cut.pcap");
    Files.write(cut, Arrays.copyOf(whole, whole.length - 7));
    List<FlowRecord> records = new ArrayList<>();
    List<String> truncations =
        new FileAgent(AgentConfig.defaults("t"), records::add, new PipelineCounters())
            .read(List.of(cut));
    assertThat(truncations)
        .singleElement()
        .asString()
        .startsWith(cut + ": ")
        .contains("packets before it");
    assertThat(records).isNotEmpty();
  }
}
