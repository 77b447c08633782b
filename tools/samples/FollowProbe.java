import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.live.SignatureFollower;
import io.migaudit.agent.source.CaptureFilter;
import io.migaudit.agent.source.CaptureScope;
import io.migaudit.agent.source.LibpcapSource;
import io.migaudit.agent.source.LiveCaptureOptions;
import io.migaudit.record.PortCatalog;
import io.migaudit.record.RecordJson;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The live agent's capture path without Kafka, for tools/samples/qemu-loopback-variants.sh: captures
 * IFACE with the filter an agent builds for a policy whose hypervisors are the HOSTS (the port
 * catalog, TCP between those hosts, migration openings on any port) and the follower of
 * SignatureFollower, writes every flow record as a JSON line to OUT, prints "ready" on stderr once
 * capturing, and on SIGTERM ends every open flow (as the agent does) and exits.
 *
 * <pre>java -cp ... tools/samples/FollowProbe.java IFACE OUT HOST...</pre>
 */
public class FollowProbe {
  public static void main(String[] args) throws Exception {
    String iface = args[0];
    Path out = Path.of(args[1]);
    List<String> hosts = List.of(args).subList(2, args.length);
    String filter =
        CaptureFilter.of(PortCatalog.builtIn(), new CaptureScope(List.of(), hosts), null);
    PipelineCounters counters = new PipelineCounters();
    CountDownLatch done = new CountDownLatch(1);
    try (LibpcapSource source = LibpcapSource.open(iface, LiveCaptureOptions.defaults(filter));
        PrintStream lines = new PrintStream(Files.newOutputStream(out), true)) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    source.stop();
                    try {
                      done.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
      CaptureAgent agent =
          new CaptureAgent(
              AgentConfig.defaults("follow-probe"), r -> lines.println(RecordJson.toLine(r)), counters);
      System.err.println("ready");
      try {
        agent.run(source, iface, EndReason.SHUTDOWN, new SignatureFollower(source, iface, counters));
      } finally {
        System.err.println(
            "followed " + counters.connectionsFollowed() + ", refused " + counters.followsRefused());
        done.countDown();
      }
    }
  }
}
