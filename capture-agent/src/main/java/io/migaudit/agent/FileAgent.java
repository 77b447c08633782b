package io.migaudit.agent;

import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowRecordSink;
import io.migaudit.agent.source.PcapFileSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent over capture files: each file read to its end by {@link CaptureWorkers} (one worker, or
 * N taking turns reading it, each flow on one of them), the flows still open at a file's end ended
 * as final records with end reason {@code end_of_capture}. A truncated file is read up to where it
 * breaks off and reported, not refused.
 */
public final class FileAgent {
  /** Opens a capture file as a packet source (e.g. counting the bytes read). */
  @FunctionalInterface
  public interface Opener {
    PcapFileSource open(Path file) throws IOException;
  }

  private final CaptureWorkers workers;
  private Opener opener = PcapFileSource::open;

  /** Records go to {@code sink}, counted in {@code counters}, by {@code workers} flow tables. */
  public FileAgent(
      AgentConfig config, FlowRecordSink sink, PipelineCounters counters, int workers) {
    this.workers = new CaptureWorkers(config, sink, counters, workers);
  }

  /** One flow table, records to {@code sink}, counted in {@code counters}. */
  public FileAgent(AgentConfig config, FlowRecordSink sink, PipelineCounters counters) {
    this(config, sink, counters, 1);
  }

  /** This agent, opening each file with {@code o} (e.g. counting the bytes read). */
  public FileAgent opening(Opener o) {
    this.opener = o;
    return this;
  }

  private CaptureAgent.SourceReport read(Path file) throws IOException {
    try (PcapFileSource source = opener.open(file)) {
      return workers.run(source, file.toString(), EndReason.END_OF_CAPTURE);
    }
  }

  /**
   * Reads every file in order.
   *
   * @return one line per truncated file: where it broke off and how many packets were read
   * @throws IOException when a file cannot be opened or read
   */
  public List<String> read(List<Path> files) throws IOException {
    List<String> truncations = new ArrayList<>();
    for (Path file : files) {
      CaptureAgent.SourceReport report = read(file);
      if (report.truncation() != null) {
        truncations.add(
            file
                + ": "
                + report.truncation()
                + "; read the "
                + report.packets()
                + " packets before it");
      }
    }
    return truncations;
  }
}
