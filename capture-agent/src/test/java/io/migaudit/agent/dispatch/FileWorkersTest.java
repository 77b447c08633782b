package io.migaudit.agent.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.CaptureWorkers;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.ForwardingSource;
import io.migaudit.agent.source.FrameSelector;
import io.migaudit.agent.source.PacketSource;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers taking turns reading one capture: over a capture long enough that the batches go round
 * their pool many times, each frame is read from the source once, whatever the number of workers,
 * and the records are those of one worker; a source that fails part-way ends the run with its
 * error; a batch is full at its byte bound, so big frames cannot grow the pool without limit.
 */
@Timeout(120)
class FileWorkersTest {
  private static final Path SAMPLE = Path.of("../samples/qemu-multifd-zstd/capture.pcap");
  private static final int ROUNDS = 100;
  private static final int PCAP_HEADER = 24;
  private static final int RECORD_HEADER = 16;

  @TempDir Path dir;

  @Test
  void eachFrameIsReadOnceAndTheRecordsAreThoseOfOneWorker() throws IOException {
    Path capture = repeated(SAMPLE, ROUNDS, dir.resolve("long.pcap"));
    AgentConfig config = AgentConfig.defaults("test");
    PipelineCounters single = new PipelineCounters();
    List<String> one = records(capture, config, 1, single, Long.MAX_VALUE);
    assertThat(one).hasSizeGreaterThan(ROUNDS);
    long frames = single.packets();
    // enough batches (full at PACKETS frames or BYTES bytes) to go round a pool of 2 * 3 + 2 often
    long frameBytes = Files.size(capture) - PCAP_HEADER - RECORD_HEADER * frames;
    assertThat(Math.max(frames / PacketBatch.PACKETS, frameBytes / PacketBatch.BYTES))
        .isGreaterThan(4L * (2 * 3 + 2));
    for (int workers : new int[] {2, 3, 16}) {
      PipelineCounters split = new PipelineCounters();
      Counting source = new Counting(PcapFileSource.open(capture), Long.MAX_VALUE);
      List<String> many = records(source, config, workers, split);
      assertThat(many).as("%d workers", workers).isEqualTo(one);
      assertThat(source.frames).as("frames read from the source").isEqualTo(frames);
      assertThat(split.packets()).isEqualTo(frames);
      assertThat(split.notIp()).isEqualTo(single.notIp());
    }
  }

  /**
   * The workers' turns at reading the file are timed, and are a part of the run's time: with one
   * worker there are none.
   */
  @Test
  void theTurnsAtReadingTheFileAreTimed() throws IOException {
    Path capture = repeated(SAMPLE, ROUNDS, dir.resolve("long.pcap"));
    AgentConfig config = AgentConfig.defaults("test");
    PipelineCounters single = new PipelineCounters();
    records(capture, config, 1, single, Long.MAX_VALUE);
    assertThat(single.readingNanos()).isZero();
    PipelineCounters split = new PipelineCounters();
    long t0 = System.nanoTime();
    records(capture, config, 3, split, Long.MAX_VALUE);
    long run = System.nanoTime() - t0;
    assertThat(split.readingNanos()).isPositive().isLessThan(run);
  }

  /**
   * Runs back to back over a capture that cycles the pool, with 2 to 5 workers: a race in who reads
   * and who waits for a free batch would hang one of them (the class's timeout fails it).
   */
  @Test
  void manyRunsInARowNeitherHangNorLoseAFrame() throws IOException {
    Path capture = repeated(SAMPLE, ROUNDS, dir.resolve("long.pcap"));
    AgentConfig config = AgentConfig.defaults("test");
    PipelineCounters single = new PipelineCounters();
    int records = records(capture, config, 1, single, Long.MAX_VALUE).size();
    for (int run = 0; run < 40; run++) {
      PipelineCounters split = new PipelineCounters();
      assertThat(records(capture, config, 2 + run % 4, split, Long.MAX_VALUE))
          .as("run %d", run)
          .hasSize(records);
      assertThat(split.packets()).isEqualTo(single.packets());
    }
  }

  /**
   * Each round cut off mid-migration, an hour before the next: at the next round's first frame a
   * table still holds the open streams and adds the frame to one of them, as it sweeps for idle
   * flows only after. The workers must not deal that frame's flow out anew before such a sweep.
   */
  @Test
  void flowsLeftOpenAcrossAGapStayWithTheirWorker() throws IOException {
    Path capture = repeated(SAMPLE, 20, 0.5, dir.resolve("cut.pcap"));
    AgentConfig config = AgentConfig.defaults("test");
    List<String> one = records(capture, config, 1, new PipelineCounters(), Long.MAX_VALUE);
    assertThat(one).anyMatch(r -> r.contains("\"endReason\":\"idle\""));
    for (int workers : new int[] {2, 3, 4}) {
      assertThat(records(capture, config, workers, new PipelineCounters(), Long.MAX_VALUE))
          .as("%d workers", workers)
          .isEqualTo(one);
    }
  }

  /**
   * Captures merged without sorting (as {@code mergecap -a} leaves two interfaces' files): the
   * frames of two of a migration's three streams come 1.2 s behind the third's. One table's clock,
   * the latest timestamp of all, runs up to 1.2 s ahead of a late stream's frames, past the 1 s
   * active timeout, so the late streams are due interim records. Each worker's table must keep that
   * clock, though the others' frames are not its own: a table that followed only a late stream's
   * frames would see them on time and write fewer records.
   */
  @Test
  void framesOutOfTimeOrderGiveTheRecordsOfOneWorker() throws IOException {
    Path capture = lateStreams(repeated(SAMPLE, 20, dir.resolve("rounds.pcap")), 1_200_000);
    AgentConfig config = AgentConfig.defaults("test");
    List<String> one = records(capture, config, 1, new PipelineCounters(), Long.MAX_VALUE);
    assertThat(one).hasSizeGreaterThan(20 * 3);
    for (int workers : new int[] {2, 3, 5}) {
      assertThat(records(capture, config, workers, new PipelineCounters(), Long.MAX_VALUE))
          .as("%d workers", workers)
          .isEqualTo(one);
    }
  }

  /**
   * A real QEMU multifd migration is three streams of 96, 84 and 114 packets a round: with three
   * workers each takes one, and the busiest carries the biggest stream's 38.8 % (a flow hash put
   * two or all three on one worker in most runs: 61-100 %, BENCHMARKS.md).
   */
  @Test
  void aMigrationsStreamsGoOnePerWorker() throws IOException {
    Path capture = repeated(SAMPLE, 20, dir.resolve("rounds.pcap"));
    PipelineCounters counters = new PipelineCounters();
    records(capture, AgentConfig.defaults("test"), 3, counters, Long.MAX_VALUE);
    assertThat(counters.busiestWorkerShare()).isBetween(0.38, 0.39);
  }

  @Test
  void aSourceThatFailsPartWayEndsTheRunWithItsError() throws IOException {
    Path capture = repeated(SAMPLE, ROUNDS, dir.resolve("long.pcap"));
    Counting source = new Counting(PcapFileSource.open(capture), 10_000);
    assertThatThrownBy(
            () -> records(source, AgentConfig.defaults("test"), 3, new PipelineCounters()))
        .isInstanceOf(IOException.class)
        .hasMessage("disk gone after 10000 frames");
  }

  @Test
  void aBatchIsFullAtItsByteBoundAndKeepsEachFrame() {
    PacketBatch batch = new PacketBatch();
    CapturedPacket p = new CapturedPacket();
    byte[] jumbo = new byte[9000];
    int frames = 0;
    while (!batch.full()) {
      jumbo[0] = (byte) frames;
      p.timestampMicros = frames;
      p.linkType = 1;
      p.originalLength = jumbo.length;
      batch.add(p, jumbo, 0, jumbo.length, frames % 3);
      frames++;
    }
    assertThat(frames).isLessThan(PacketBatch.PACKETS);
    assertThat((long) frames * jumbo.length)
        .isBetween((long) PacketBatch.BYTES, PacketBatch.BYTES + 9000L);
    ByteBuffer copy = ByteBuffer.allocate(16);
    for (int i = 0; i < frames; i++) {
      copy = batch.frame(i, p, copy);
      assertThat(p.data.limit()).isEqualTo(jumbo.length);
      assertThat(p.data.get(0)).isEqualTo((byte) i);
      assertThat(p.timestampMicros).isEqualTo(i);
      assertThat(batch.hash[i]).isEqualTo(i % 3);
    }
  }

  private static List<String> records(
      Path capture, AgentConfig config, int workers, PipelineCounters counters, long failAfter)
      throws IOException {
    return records(
        new Counting(PcapFileSource.open(capture), failAfter), config, workers, counters);
  }

  private static List<String> records(
      PacketSource source, AgentConfig config, int workers, PipelineCounters counters)
      throws IOException {
    List<FlowRecord> records = Collections.synchronizedList(new ArrayList<>());
    try (source) {
      new CaptureWorkers(config, records::add, counters, workers)
          .run(source, "test", EndReason.END_OF_CAPTURE);
    }
    List<FlowRecord> sorted = new ArrayList<>(records);
    sorted.sort(Comparator.comparing(FlowRecord::flowId).thenComparingLong(FlowRecord::seq));
    return sorted.stream().map(RecordJson::toLine).toList();
  }

  /**
   * A classic little-endian pcap of {@code rounds} copies of {@code sample}'s records, each round
   * an hour after the one before, so its flows end idle and start again.
   */
  private static Path repeated(Path sample, int rounds, Path out) throws IOException {
    return repeated(sample, rounds, 1, out);
  }

  /**
   * As {@link #repeated(Path, int, Path)}, each round only the first {@code share} of its bytes.
   */
  private static Path repeated(Path sample, int rounds, double share, Path out) throws IOException {
    byte[] in = Files.readAllBytes(sample);
    ByteBuffer src = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(src.getInt(0)).isEqualTo(0xA1B2C3D4);
    int records = in.length - PCAP_HEADER;
    ByteBuffer dst =
        ByteBuffer.allocate(PCAP_HEADER + rounds * records).order(ByteOrder.LITTLE_ENDIAN);
    dst.put(in, 0, PCAP_HEADER);
    long cut = PCAP_HEADER + (long) (share * records);
    for (int round = 0; round < rounds; round++) {
      int at = PCAP_HEADER;
      while (at + RECORD_HEADER <= in.length && at < cut) {
        int length = src.getInt(at + 8);
        int start = dst.position();
        dst.put(in, at, RECORD_HEADER + length);
        dst.putInt(start, src.getInt(at) + round * 3600);
        at += RECORD_HEADER + length;
      }
    }
    Files.write(out, Arrays.copyOf(dst.array(), dst.position()));
    return out;
  }

  /**
   * {@code capture} (the sample's framing: Ethernet, one 802.1Q tag, IPv4, TCP) with the frames of
   * each TCP connection whose client port has its second-lowest bit set moved {@code lateMicros}
   * earlier.
   */
  private static Path lateStreams(Path capture, long lateMicros) throws IOException {
    byte[] bytes = Files.readAllBytes(capture);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int moved = 0;
    for (int at = PCAP_HEADER; at + RECORD_HEADER <= bytes.length; ) {
      int length = b.getInt(at + 8);
      int frame = at + RECORD_HEADER;
      ByteBuffer f = ByteBuffer.wrap(bytes, frame, length).slice();
      if (length >= 18 + 20 + 4
          && f.getShort(12) == (short) 0x8100
          && f.getShort(16) == 0x0800
          && f.get(18 + 9) == 6) {
        int tcp = 18 + (f.get(18) & 0x0F) * 4;
        int client = Math.min(f.getShort(tcp) & 0xFFFF, f.getShort(tcp + 2) & 0xFFFF);
        if ((client & 2) != 0) { // the sample's are 41011, 41013, 41015: two of three
          long micros = b.getInt(at) * 1_000_000L + b.getInt(at + 4) - lateMicros;
          b.putInt(at, (int) (micros / 1_000_000));
          b.putInt(at + 4, (int) (micros % 1_000_000));
          moved++;
        }
      }
      at = frame + length;
    }
    assertThat(moved).isPositive();
    return Files.write(capture, bytes);
  }

  /** Counts the frames read from a source; fails with an IOException after {@code failAfter}. */
  private static final class Counting extends ForwardingSource {
    private final long failAfter;
    long frames;

    Counting(PacketSource source, long failAfter) {
      super(source);
      this.failAfter = failAfter;
    }

    @Override
    public boolean next(CapturedPacket into) throws IOException {
      return counted(inner.next(into));
    }

    @Override
    public boolean next(CapturedPacket into, FrameSelector selector) throws IOException {
      return counted(inner.next(into, selector));
    }

    private boolean counted(boolean read) throws IOException {
      if (read && ++frames > failAfter) {
        throw new IOException("disk gone after " + failAfter + " frames");
      }
      return read;
    }
  }
}
