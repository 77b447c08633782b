package io.migaudit.agent.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.flow.FlowKey;
import io.migaudit.agent.testbed.VethBed;
import io.migaudit.testsupport.Eventually;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's fanout hash on this machine keeps both directions of a flow on one capture worker:
 * {@value #FLOWS} TCP conversations (each direction in turn) replayed into a veth pair reach two
 * libpcap captures in one AF_PACKET fanout group; every frame arrives exactly once, both workers
 * get flows, and no flow (by its canonical key, both directions) shows up at both.
 *
 * <p>Needs root, iproute2, tcpreplay and libpcap; skips without them, fails under {@code CI=true}.
 */
class FanoutGroupIT {
  private static final int FLOWS = 200;
  private static final int PACKETS_PER_FLOW = 6;
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void bothDirectionsOfEveryFlowReachOneWorker() throws Exception {
    VethBed.requirePrerequisites();
    Path capture = dir.resolve("flows.pcap");
    Files.write(capture, conversations());
    String filter = "tcp and net 10.77.0.0/16";
    try (VethBed bed = VethBed.create("ma-fo-" + ProcessHandle.current().pid())) {
      List<LibpcapSource> workers =
          LibpcapSource.openWorkers(bed.captureEnd(), LiveCaptureOptions.defaults(filter), 2);
      // the first group after boot is 0, which reads back as no group: both say the same
      assertThat(workers.get(1).fanoutGroup()).isEqualTo(workers.get(0).fanoutGroup());
      List<Set<FlowKey>> seen = new ArrayList<>();
      AtomicLong frames = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      try {
        for (LibpcapSource w : workers) {
          Set<FlowKey> keys = ConcurrentHashMap.newKeySet();
          seen.add(keys);
          Thread t = new Thread(() -> read(w, keys, frames), "fanout-it-" + threads.size());
          threads.add(t);
          t.start();
        }
        bed.replay(List.of("--topspeed"), List.of(capture));
        Eventually.until(
            "every replayed frame captured",
            DEADLINE,
            () -> frames.get() >= (long) FLOWS * PACKETS_PER_FLOW);
      } finally {
        workers.forEach(LibpcapSource::stop);
        for (Thread t : threads) {
          t.join(10_000);
        }
        workers.forEach(LibpcapSource::close);
      }
      assertThat(frames.get())
          .as("frames captured, each once")
          .isEqualTo((long) FLOWS * PACKETS_PER_FLOW);
      assertThat(seen.get(0)).as("flows of worker 0").isNotEmpty();
      assertThat(seen.get(1)).as("flows of worker 1").isNotEmpty();
      Set<FlowKey> both = new HashSet<>(seen.get(0));
      both.retainAll(seen.get(1));
      assertThat(both).as("flows split over both workers").isEmpty();
      assertThat(seen.get(0).size() + seen.get(1).size()).isEqualTo(FLOWS);
    }
  }

  private static void read(LibpcapSource source, Set<FlowKey> keys, AtomicLong frames) {
    PacketDecoder decoder = new PacketDecoder();
    CapturedPacket p = new CapturedPacket();
    DecodedPacket d = new DecodedPacket();
    try {
      while (source.next(p)) {
        if (decoder.decode(p, d) == DecodeIssue.NONE) {
          keys.add(FlowKey.of(d));
        }
        frames.incrementAndGet();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A pcap of {@link #FLOWS} conversations 10.77.1.x:port <-> 10.77.2.y:8000, directions
   * alternating.
   */
  private static byte[] conversations() {
    int frameBytes = 14 + 20 + 20;
    int records = FLOWS * PACKETS_PER_FLOW;
    ByteBuffer b =
        ByteBuffer.allocate(24 + records * (16 + frameBytes)).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0xA1B2C3D4)
        .putShort((short) 2)
        .putShort((short) 4)
        .putInt(0)
        .putInt(0)
        .putInt(65535)
        .putInt(1);
    int n = 0;
    for (int f = 0; f < FLOWS; f++) {
      int client = 0x0A4D0100 | (f % 250 + 1);
      int server = 0x0A4D0200 | (f / 250 + 1);
      int clientPort = 40000 + f;
      for (int i = 0; i < PACKETS_PER_FLOW; i++) {
        boolean up = i % 2 == 0;
        b.putInt(1).putInt(n++).putInt(frameBytes).putInt(frameBytes);
        frame(
            b,
            up ? client : server,
            up ? server : client,
            up ? clientPort : 8000,
            up ? 8000 : clientPort);
      }
    }
    return b.array();
  }

  private static void frame(ByteBuffer b, int src, int dst, int srcPort, int dstPort) {
    ByteBuffer f = b.slice().order(ByteOrder.BIG_ENDIAN);
    f.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
    int ip = f.position();
    f.put((byte) 0x45)
        .put((byte) 0)
        .putShort((short) 40)
        .putInt(0)
        .put((byte) 64)
        .put((byte) 6)
        .putShort((short) 0)
        .putInt(src)
        .putInt(dst);
    int sum = 0;
    for (int i = 0; i < 20; i += 2) {
      sum += Short.toUnsignedInt(f.getShort(ip + i));
    }
    sum = (sum & 0xFFFF) + (sum >>> 16);
    f.putShort(ip + 10, (short) ~((sum & 0xFFFF) + (sum >>> 16)));
    f.putShort((short) srcPort)
        .putShort((short) dstPort)
        .putInt(1)
        .putInt(0)
        .put((byte) 0x50)
        .put((byte) 0x10)
        .putShort((short) 65535)
        .putShort((short) 0)
        .putShort((short) 0);
    b.position(b.position() + f.position());
  }
}
