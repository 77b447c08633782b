package io.migaudit.agent.flow;

import static io.migaudit.agent.flow.Packets.ACK;
import static io.migaudit.agent.flow.Packets.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import io.migaudit.record.Verdict;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A SYN scan of a million 5-tuples while a plaintext migration runs: the table stays at its bound,
 * evicts the least recently seen flows (the scan's), counts them, and still judges the migration.
 */
class FlowFloodTest {
  private static final int BOUND = 10_000;
  private static final int SCAN_PACKETS = 1_000_000;
  private static final long T0 = 1_700_000_000_000_000L;

  @Test
  void scanIsEvictedAndTheMigrationIsStillCaught() {
    List<FlowRecord> records = new ArrayList<>();
    FlowTable table =
        new FlowTable(
            new FlowTableConfig(
                BOUND, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(2)),
            PortCatalog.builtIn(),
            "flood",
            "eth0",
            records::add,
            256 * 1024,
            1500);
    byte[] page = memoryPage();
    DecodedPacket scan = new DecodedPacket();
    long migrationPayload = 0;
    int maxSize = 0;
    DecodedPacket syn = Packets.tcp(T0, 11, 40000, 12, 8000, SYN, 0);
    table.offer(syn);
    for (int i = 0; i < SCAN_PACKETS; i++) {
      long now = T0 + 1 + i * 3L; // 3 us apart: the whole flood lasts 3 s of packet time
      synTo(scan, now, i);
      table.offer(scan);
      if (i % 100 == 0) {
        DecodedPacket data = Packets.tcp(now, 11, 40000, 12, 8000, ACK, 0);
        data.frame = ByteBuffer.wrap(page);
        data.payloadCapturedLength = data.payloadWireLength = page.length;
        data.ipLength = 40 + page.length;
        data.tcpSeq = syn.tcpSeq + 1 + (int) migrationPayload; // the migration's stream follows on
        table.offer(data);
        migrationPayload += page.length;
      }
      maxSize = Math.max(maxSize, table.size());
    }
    assertThat(maxSize).isEqualTo(BOUND);
    assertThat(table.ended(EndReason.EVICTED)).isEqualTo(SCAN_PACKETS + 1 - BOUND);
    List<FlowRecord> migration =
        records.stream().filter(r -> r.dstPort() == 8000 && r.srcPort() == 40000).toList();
    assertThat(migration)
        .as("interim records of the migration during the flood")
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(migration).noneMatch(r -> "evicted".equals(r.endReason()));
    FlowRecord latest = migration.get(migration.size() - 1);
    assertThat(latest.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(latest.protocol()).isEqualTo("vmotion");
    assertThat(latest.srcToDst().payloadBytes()).isLessThanOrEqualTo(migrationPayload).isPositive();
  }

  private static void synTo(DecodedPacket p, long micros, int i) {
    p.reset();
    p.timestampMicros = micros;
    p.ipVersion = 4;
    p.srcLo = 0xC6120000L | (i / 60_000);
    p.dstLo = 0x0A000000L | (2 + i % 250);
    p.ipProtocol = 6;
    p.srcPort = 1024 + i % 60_000;
    p.dstPort = 1 + (i * 7) % 1024;
    p.tcpFlags = SYN;
    p.ipLength = 40;
  }

  /** Guest-memory-like bytes: text and zero runs, as a raw RAM page would have. */
  private static byte[] memoryPage() {
    byte[] page = new byte[1448];
    Random r = new Random(3);
    String words = "kernel page cache customer password invoice socket buffer ";
    for (int i = 0; i < page.length; i++) {
      page[i] = i % 512 < 200 ? 0 : (byte) words.charAt(r.nextInt(words.length()));
    }
    return page;
  }
}
