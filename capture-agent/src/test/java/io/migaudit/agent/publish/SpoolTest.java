package io.migaudit.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  /** 40 entries of "record-NNNN" (11 bytes + 8 of header) per 1 KiB segment. */
  private static final long SEGMENT = 1024;

  @TempDir Path dir;

  private static byte[] entry(int i) {
    return String.format("record-%04d", i).getBytes(StandardCharsets.US_ASCII);
  }

  private static List<String> drain(Spool spool) throws IOException {
    List<String> out = new ArrayList<>();
    for (Spool.Batch b = spool.read(7); b.size() > 0; b = spool.read(7)) {
      b.entries().forEach(e -> out.add(new String(e, StandardCharsets.US_ASCII)));
      spool.acknowledge(b);
    }
    return out;
  }

  private static List<String> names(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(new String(entry(i), StandardCharsets.US_ASCII));
    }
    return out;
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(SpoolSegment.SUFFIX)).sorted().toList();
    }
  }

  @Test
  void entriesComeBackInOrderAcrossSegments() throws IOException {
    try (Spool spool = Spool.open(dir, 100 * SEGMENT, SEGMENT)) {
      for (int i = 0; i < 500; i++) {
        spool.append(entry(i));
      }
      assertThat(segmentFiles()).hasSizeGreaterThan(5);
      assertThat(spool.pending()).isEqualTo(500);
      assertThat(drain(spool)).isEqualTo(names(0, 500));
      assertThat(spool.isEmpty()).isTrue();
      assertThat(spool.dropped()).isZero();
      assertThat(segmentFiles()).as("acknowledged segments are deleted").isEmpty();
    }
  }

  @Test
  void aBatchNotAcknowledgedIsReadAgain() throws IOException {
    try (Spool spool = Spool.open(dir, 100 * SEGMENT, SEGMENT)) {
      for (int i = 0; i < 10; i++) {
        spool.append(entry(i));
      }
      Spool.Batch first = spool.read(4);
      Spool.Batch again = spool.read(4);
      assertThat(again.entries()).containsExactlyElementsOf(first.entries());
      spool.acknowledge(first);
      assertThat(drain(spool)).isEqualTo(names(4, 10));
    }
  }

  @Test
  void atTheBoundTheOldestSegmentIsDroppedAndCounted() throws IOException {
    long max = 4 * SEGMENT;
    try (Spool spool = Spool.open(dir, max, SEGMENT)) {
      for (int i = 0; i < 1000; i++) {
        spool.append(entry(i));
        assertThat(spool.bytes()).isLessThanOrEqualTo(max);
      }
      long kept = spool.pending();
      assertThat(spool.dropped()).isPositive().isEqualTo(1000 - kept);
      List<String> left = drain(spool);
      assertThat(left)
          .as("the newest records are kept, in order")
          .isEqualTo(names((int) (1000 - kept), 1000));
    }
  }

  @Test
  void droppingTheSegmentBeingReadCountsOnlyItsUnacknowledgedEntries() throws IOException {
    try (Spool spool = Spool.open(dir, 2 * SEGMENT, SEGMENT)) {
      int perSegment = 0;
      while (spool.bytes() < SEGMENT - 19) {
        spool.append(entry(perSegment++));
      }
      Spool.Batch b = spool.read(3);
      spool.acknowledge(b);
      for (int i = perSegment; spool.dropped() == 0; i++) {
        spool.append(entry(i));
      }
      assertThat(spool.dropped()).isEqualTo(perSegment - 3);
      spool.acknowledge(b); // late acknowledgement of a dropped segment changes nothing
      assertThat(spool.dropped()).isEqualTo(perSegment - 3);
    }
  }

  @Test
  void survivesReopenWithoutResendingAcknowledgedEntries() throws IOException {
    try (Spool spool = Spool.open(dir, 100 * SEGMENT, SEGMENT)) {
      for (int i = 0; i < 100; i++) {
        spool.append(entry(i));
      }
      spool.acknowledge(spool.read(10));
    }
    try (Spool spool = Spool.open(dir, 100 * SEGMENT, SEGMENT)) {
      assertThat(spool.pending()).isEqualTo(90);
      spool.append(entry(100));
      assertThat(drain(spool)).isEqualTo(names(10, 101));
    }
  }

  @Test
  void aTornTailIsCutOnReopen() throws IOException {
    try (Spool spool = Spool.open(dir, 100 * SEGMENT, SEGMENT)) {
      for (int i = 0; i < 30; i++) {
        spool.append(entry(i));
      }
    }
    Path last = segmentFiles().get(segmentFiles().size() - 1);
    long size = Files.size(last);
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
      ch.truncate(size - 5); // a write cut short by a crash
    }
    try (Spool spool = Spool.open(dir, 100 * SEGMENT, SEGMENT)) {
      assertThat(spool.pending()).isEqualTo(29);
      spool.append(entry(30));
      assertThat(drain(spool))
          .isEqualTo(Stream.concat(names(0, 29).stream(), names(30, 31).stream()).toList());
    }
  }

  @Test
  void aDamagedEntryEndsItsSegmentOnReopen() throws IOException {
    try (Spool spool = Spool.open(dir, 100 * SEGMENT, SEGMENT)) {
      for (int i = 0; i < 10; i++) {
        spool.append(entry(i));
      }
    }
    Path seg = segmentFiles().get(0);
    byte[] bytes = Files.readAllBytes(seg);
    int fifth = SpoolSegment.MAGIC.length + 4 * 19 + SpoolSegment.ENTRY_HEADER_BYTES;
    bytes[fifth] ^= 1; // a flipped bit in the fifth entry: its CRC no longer matches
    Files.write(seg, bytes);
    try (Spool spool = Spool.open(dir, 100 * SEGMENT, SEGMENT)) {
      assertThat(drain(spool)).isEqualTo(names(0, 4));
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefused() throws IOException {
    try (Spool spool = Spool.open(dir, 100 * SEGMENT, SEGMENT)) {
      assertThatThrownBy(() -> Spool.open(dir, 100 * SEGMENT, SEGMENT))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("in use by another migaudit agent");
    }
  }

  @Test
  void aForeignFileIsLeftAlone() throws IOException {
    Path foreign = SpoolSegment.pathOf(dir, 7);
    Files.writeString(foreign, "not a spool segment at all");
    try (Spool spool = Spool.open(dir, 100 * SEGMENT, SEGMENT)) {
      assertThat(spool.isEmpty()).isTrue();
      spool.append(entry(1));
      assertThat(drain(spool)).isEqualTo(names(1, 2));
    }
    assertThat(foreign).exists();
  }
}
