import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.FrameSelector;
import io.migaudit.agent.source.PcapFileSource;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * What every worker reading a capture file pays for every frame, its own or not (BENCHMARKS.md,
 * issue 18): thread CPU a frame to read the record and decline the frame unread ("decline"), to
 * also hash it as a worker does ("hash+decline", through a method handle: a few ns above the
 * workers' direct call), and to read every frame out as one worker does ("copy").
 *
 * <pre>
 * ./migaudit --version   # builds cli/target
 * java -cp "cli/target/migaudit-cli.jar:cli/target/lib/*" tools/bench/SharedReadCost.java \
 *     target/bench/migration-2M-snap128.pcap PASSES
 * </pre>
 */
public class SharedReadCost {
  private static long sink;

  public static void main(String[] args) throws Throwable {
    Method of =
        Class.forName("io.migaudit.agent.dispatch.FrameHash")
            .getDeclaredMethod("of", int.class, byte[].class, int.class, int.class);
    of.setAccessible(true);
    MethodHandle hash = MethodHandles.lookup().unreflect(of);
    Path capture = Path.of(args[0]);
    int passes = Integer.parseInt(args[1]);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    FrameSelector decline = (linkType, frame, offset, length) -> false;
    FrameSelector hashThenDecline =
        (linkType, frame, offset, length) -> {
          try {
            sink += (long) hash.invokeExact(linkType, frame, offset, length);
          } catch (Throwable e) {
            throw new IllegalStateException(e);
          }
          return false;
        };
    for (int pass = 0; pass < passes; pass++) {
      for (String mode : new String[] {"decline", "hash+decline", "copy"}) {
        FrameSelector selector = mode.equals("decline") ? decline : hashThenDecline;
        long cpu0 = threads.getCurrentThreadCpuTime();
        long frames = 0;
        CapturedPacket packet = new CapturedPacket();
        try (PcapFileSource source = PcapFileSource.open(capture)) {
          while (mode.equals("copy") ? source.next(packet) : source.next(packet, selector)) {
            frames++;
            sink += packet.timestampMicros;
          }
        }
        System.out.printf(
            "%-13s %.1f ns of thread CPU a frame%n",
            mode, (double) (threads.getCurrentThreadCpuTime() - cpu0) / frames);
      }
    }
    if (sink == 42) {
      System.out.println(); // keeps the sums alive
    }
  }
}
