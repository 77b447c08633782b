package io.migaudit.agent;

import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.record.FlowRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The agent's records of a sample capture ({@code samples/NAME/capture.pcap}), for tests. */
public final class SampleCaptures {
  private SampleCaptures() {}

  /** Every record the agent writes for the sample, interim ones included, in order. */
  public static List<FlowRecord> records(String sample) throws IOException {
    List<FlowRecord> records = new ArrayList<>();
    CaptureAgent agent =
        new CaptureAgent(AgentConfig.defaults("test"), records::add, new PipelineCounters());
    try (PcapFileSource source =
        PcapFileSource.open(Path.of("../samples", sample, "capture.pcap"))) {
      agent.run(source, sample, EndReason.END_OF_CAPTURE);
    }
    return records;
  }

  /** The final record of each flow of the sample. */
  public static List<FlowRecord> finalRecords(String sample) throws IOException {
    return records(sample).stream().filter(FlowRecord::last).toList();
  }
}
