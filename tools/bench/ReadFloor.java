import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.PcapFileSource;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The floors under what every worker reading a capture file pays for each frame (BENCHMARKS.md,
 * issue 18), in thread CPU a frame of a little-endian classic pcap file: copying the file out of the
 * page cache with read() in 128 KiB blocks, as the workers do ("read"); walking the record headers
 * of the file mapped into memory instead, the first walk (page faults) and a second one ("mmap");
 * and the flow hash of a plain TCP frame ({@code FrameHash}, through a method handle) over 4096 of
 * the capture's frames held in the core's cache ("hash").
 *
 * <pre>
 * ./migaudit --version   # builds cli/target
 * java -cp "cli/target/migaudit-cli.jar:cli/target/lib/*" tools/bench/ReadFloor.java \
 *     target/bench/migration-2M-snap128.pcap PASSES
 * </pre>
 */
public class ReadFloor {
  private static final int RECORD_HEADER = 16;
  private static final int FILE_HEADER = 24;
  private static long sink;

  public static void main(String[] args) throws Throwable {
    Path capture = Path.of(args[0]);
    int passes = Integer.parseInt(args[1]);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    MethodHandle hash = frameHash();
    byte[][] cached = frames(capture, 4096);
    long frames = headerWalk(capture, threads)[0];
    for (int pass = 0; pass < passes; pass++) {
      long c0 = threads.getCurrentThreadCpuTime();
      byte[] block = new byte[1 << 17];
      try (InputStream in = Files.newInputStream(capture)) {
        for (int n; (n = in.read(block)) > 0; ) {
          sink += block[n - 1];
        }
      }
      double read = (double) (threads.getCurrentThreadCpuTime() - c0) / frames;
      long[] walk = headerWalk(capture, threads);
      c0 = threads.getCurrentThreadCpuTime();
      int rounds = 200;
      for (int r = 0; r < rounds; r++) {
        for (byte[] f : cached) {
          sink += (long) hash.invokeExact(1, f, 0, f.length);
        }
      }
      double hashed = (double) (threads.getCurrentThreadCpuTime() - c0) / (rounds * cached.length);
      System.out.printf(
          "read %.1f ns a frame; mmap first walk %.1f, second %.1f; hash %.1f%n",
          read, (double) walk[1] / frames, (double) walk[2] / frames, hashed);
    }
    if (sink == 42) {
      System.out.println(); // keeps the sums alive
    }
  }

  /** Frames, then thread CPU of a first and a second walk over the mapped file's headers. */
  private static long[] headerWalk(Path capture, ThreadMXBean threads) throws Exception {
    try (FileChannel channel = FileChannel.open(capture)) {
      long size = channel.size();
      if (size > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("a capture under 2 GB, please");
      }
      long c0 = threads.getCurrentThreadCpuTime();
      MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
      map.order(ByteOrder.LITTLE_ENDIAN);
      long frames = walk(map, (int) size);
      long c1 = threads.getCurrentThreadCpuTime();
      walk(map, (int) size);
      long c2 = threads.getCurrentThreadCpuTime();
      return new long[] {frames, c1 - c0, c2 - c1};
    }
  }

  private static long walk(MappedByteBuffer map, int size) {
    long frames = 0;
    int pos = FILE_HEADER;
    while (pos + RECORD_HEADER <= size) {
      int captured = map.getInt(pos + 8);
      sink += map.getInt(pos);
      pos += RECORD_HEADER + captured;
      frames++;
    }
    return frames;
  }

  private static byte[][] frames(Path capture, int count) throws Exception {
    List<byte[]> out = new ArrayList<>();
    CapturedPacket packet = new CapturedPacket();
    try (PcapFileSource source = PcapFileSource.open(capture)) {
      while (out.size() < count && source.next(packet)) {
        byte[] frame = new byte[packet.data.remaining()];
        packet.data.get(frame);
        out.add(frame);
      }
    }
    return out.toArray(new byte[0][]);
  }

  private static MethodHandle frameHash() throws Exception {
    Method of =
        Class.forName("io.migaudit.agent.dispatch.FrameHash")
            .getDeclaredMethod("of", int.class, byte[].class, int.class, int.class);
    of.setAccessible(true);
    return MethodHandles.lookup().unreflect(of);
  }
}
