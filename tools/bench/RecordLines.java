import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.record.RecordJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The flow records of every capture under the given folders, as JSON lines, one worker, default
 * settings: run it with the jars of two builds and compare the outputs to show that a change left
 * the records as they were (BENCHMARKS.md, issue 18).
 *
 * <pre>
 * ./migaudit --version   # builds cli/target
 * java -cp "cli/target/migaudit-cli.jar:cli/target/lib/*" tools/bench/RecordLines.java \
 *     samples capture-agent/src/test/resources/captures > records-after.txt
 * </pre>
 */
public class RecordLines {
  public static void main(String[] args) throws Exception {
    List<Path> captures = new ArrayList<>();
    for (String folder : args) {
      try (Stream<Path> files = Files.walk(Path.of(folder))) {
        files
            .filter(p -> p.toString().matches(".*\\.(pcap|pcapng|pcap\\.gz)$"))
            .sorted()
            .forEach(captures::add);
      }
    }
    for (Path capture : captures) {
      StringBuilder lines = new StringBuilder();
      CaptureWorkers pipeline =
          new CaptureWorkers(
              AgentConfig.defaults("records"),
              r -> lines.append(RecordJson.toLine(r)).append('\n'),
              new PipelineCounters(),
              1);
      try (PcapFileSource source = PcapFileSource.open(capture)) {
        pipeline.run(source, "records", EndReason.END_OF_CAPTURE);
      } catch (Exception e) {
        lines.append("ERROR ").append(e).append('\n');
      }
      System.out.print("# " + capture + "\n" + lines);
    }
  }
}
