package io.migaudit.agent.source;

import static io.migaudit.agent.source.CaptureBytes.LINKTYPE_ETHERNET;
import static io.migaudit.agent.source.CaptureBytes.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Classic pcap: byte orders, timestamp precisions, and every way a file can break. */
class PcapReaderTest {
  private static final int MICROS = 0xA1B2C3D4;
  private static final int NANOS = 0xA1B23C4D;
  private static final int MODIFIED = 0xA1B2CD34;

  enum Order {
    LITTLE(ByteOrder.LITTLE_ENDIAN),
    BIG(ByteOrder.BIG_ENDIAN);

    final ByteOrder order;

    Order(ByteOrder order) {
      this.order = order;
    }
  }

  @ParameterizedTest
  @EnumSource(Order.class)
  void readsMicrosecondFilesInBothByteOrders(Order o) throws Exception {
    byte[] file =
        CaptureBytes.pcap(o.order, MICROS, 65535, LINKTYPE_ETHERNET)
            .record(1_600_000_000L, 123_456, frame(60, 1), 60)
            .record(1_600_000_001L, 999_999, frame(42, 7), 1514)
            .bytes();

    Frames.Read read = Frames.read(file);

    assertThat(read.frames()).hasSize(2);
    Frames.Frame first = read.frames().get(0);
    assertThat(first.micros()).isEqualTo(1_600_000_000_123_456L);
    assertThat(first.linkType()).isEqualTo(LINKTYPE_ETHERNET);
    assertThat(first.originalLength()).isEqualTo(60);
    assertThat(first.data()).isEqualTo(frame(60, 1));
    Frames.Frame second = read.frames().get(1);
    assertThat(second.micros()).isEqualTo(1_600_000_001_999_999L);
    assertThat(second.originalLength()).isEqualTo(1514);
    assertThat(second.data()).isEqualTo(frame(42, 7));
    assertThat(read.stats()).isEqualTo(new SourceStats(2, 102, null));
    assertThat(read.stats().truncated()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Order.class)
  void convertsNanosecondTimestampsToMicroseconds(Order o) throws Exception {
    byte[] file =
        CaptureBytes.pcap(o.order, NANOS, 65535, LINKTYPE_ETHERNET)
            .record(1_600_000_000L, 123_456_789, frame(20, 0), 20)
            .bytes();

    assertThat(Frames.read(file).frames().get(0).micros()).isEqualTo(1_600_000_000_123_456L);
  }

  @Test
  void readsSecondsPast2038AsUnsigned() throws Exception {
    byte[] file =
        CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, MICROS, 65535, LINKTYPE_ETHERNET)
            .record(0xF0000000L, 1, frame(1, 0), 1)
            .bytes();

    assertThat(Frames.read(file).frames().get(0).micros()).isEqualTo(0xF0000000L * 1_000_000L + 1);
  }

  @Test
  void readsKuznetzovModifiedRecordsWithTheirLongerHeader() throws Exception {
    // record header: the usual 16 bytes, then ifindex(4) protocol(2) pkt_type(1) pad(1)
    CaptureBytes c = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, MODIFIED, 65535, LINKTYPE_ETHERNET);
    c.i32(10)
        .i32(20)
        .i32(3)
        .i32(3)
        .i32(2)
        .i16(0x0800)
        .raw(new byte[] {0, 0})
        .raw(new byte[] {9, 8, 7});

    Frames.Read read = Frames.read(c.bytes());

    assertThat(read.frames())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.micros()).isEqualTo(10_000_020L);
              assertThat(f.data()).containsExactly(9, 8, 7);
            });
    assertThat(read.stats().truncation()).isNull();
  }

  @Test
  void keepsOnlyTheLinkTypeFromAFieldWithFcsBits() throws Exception {
    byte[] file =
        CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, MICROS, 65535, 0x40000001)
            .record(1, 0, frame(14, 0), 14)
            .bytes();

    assertThat(Frames.read(file).frames().get(0).linkType()).isEqualTo(LINKTYPE_ETHERNET);
  }

  @Test
  void acceptsRecordsLongerThanTheSnaplenUpToLibpcapsMaximum() throws Exception {
    byte[] file =
        CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, MICROS, 64, LINKTYPE_ETHERNET)
            .record(1, 0, frame(100_000, 3), 100_000)
            .bytes();

    Frames.Read read = Frames.read(file);

    assertThat(read.frames())
        .singleElement()
        .satisfies(f -> assertThat(f.data()).isEqualTo(frame(100_000, 3)));
    assertThat(read.stats().truncation()).isNull();
  }

  @Test
  void neverReportsAnOriginalLengthBelowTheCapturedLength() throws Exception {
    byte[] file =
        CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, MICROS, 65535, LINKTYPE_ETHERNET)
            .record(1, 0, frame(50, 0), 10)
            .bytes();

    assertThat(Frames.read(file).frames().get(0).originalLength()).isEqualTo(50);
  }

  @Test
  void reusesOneFrameBufferAndGrowsItForABigFrame() throws Exception {
    byte[] file =
        CaptureBytes.pcap(ByteOrder.BIG_ENDIAN, MICROS, 262144, LINKTYPE_ETHERNET)
            .record(1, 0, frame(60, 0), 60)
            .record(2, 0, frame(100, 5), 100)
            .record(3, 0, frame(200_000, 9), 200_000)
            .record(4, 0, frame(30, 1), 30)
            .bytes();
    try (PcapFileSource source =
        PcapFileSource.open(new ByteArrayInputStream(file), "reuse.pcap")) {
      CapturedPacket packet = new CapturedPacket();
      source.next(packet);
      var firstView = packet.data;
      source.next(packet);
      assertThat(packet.data).isSameAs(firstView);
      source.next(packet);
      byte[] big = new byte[200_000];
      packet.data.get(0, big);
      assertThat(big).isEqualTo(frame(200_000, 9));
      source.next(packet);
      assertThat(packet.capturedLength()).isEqualTo(30);
      byte[] small = new byte[30];
      packet.data.get(0, small);
      assertThat(small).isEqualTo(frame(30, 1));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {4, 10, 23})
  void aFileCutInsideItsHeaderIsAnEmptyTruncatedCapture(int length) throws Exception {
    byte[] whole =
        CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, MICROS, 65535, LINKTYPE_ETHERNET).bytes();

    Frames.Read read = Frames.read(Arrays.copyOf(whole, length));

    assertThat(read.frames()).isEmpty();
    assertThat(read.stats().truncation())
        .isEqualTo(
            "file ends inside the pcap file header at byte offset 0: "
                + length
                + " of 24 bytes present");
  }

  @Test
  void aFileCutInsideARecordHeaderKeepsThePacketsBeforeIt() throws Exception {
    byte[] whole =
        CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, MICROS, 65535, LINKTYPE_ETHERNET)
            .record(1, 0, frame(60, 0), 60)
            .record(2, 0, frame(60, 0), 60)
            .bytes();
    int secondRecord = 24 + 16 + 60;

    Frames.Read read = Frames.read(Arrays.copyOf(whole, secondRecord + 7));

    assertThat(read.frames()).hasSize(1);
    assertThat(read.stats())
        .isEqualTo(
            new SourceStats(
                1,
                60,
                "file ends inside the header of packet record 2"
                    + " at byte offset "
                    + secondRecord
                    + ": 7 of 16 bytes present"));
  }

  @Test
  void aFileCutInsideAPacketKeepsThePacketsBeforeIt() throws Exception {
    byte[] whole =
        CaptureBytes.pcap(ByteOrder.BIG_ENDIAN, MICROS, 65535, LINKTYPE_ETHERNET)
            .record(1, 0, frame(60, 0), 60)
            .record(2, 0, frame(1514, 0), 1514)
            .bytes();
    int secondRecord = 24 + 16 + 60;

    Frames.Read read = Frames.read(Arrays.copyOf(whole, secondRecord + 16 + 40));

    assertThat(read.frames()).hasSize(1);
    assertThat(read.stats().truncation())
        .isEqualTo(
            "file ends inside packet record 2 at byte offset "
                + secondRecord
                + ": 40 of 1514 bytes present");
  }

  @Test
  void aLyingCapturedLengthIsCorruptionNotAnAllocation() throws Exception {
    CaptureBytes c =
        CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, MICROS, 65535, LINKTYPE_ETHERNET)
            .record(1, 0, frame(60, 0), 60);
    c.i32(2).i32(0).i32(0x7FFFFFF0).i32(60).raw(frame(60, 0));

    Frames.Read read = Frames.read(c.bytes());

    assertThat(read.frames()).hasSize(1);
    assertThat(read.stats().truncation())
        .isEqualTo(
            "packet record 2 at byte offset 100 is corrupt: "
                + "captured length 2147483632 exceeds the limit of 262144 bytes");
  }

  @Test
  void aLengthWithinTheLimitButPastTheEndIsTruncation() throws Exception {
    CaptureBytes c = CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, MICROS, 65535, LINKTYPE_ETHERNET);
    c.i32(2).i32(0).i32(200_000).i32(200_000).raw(frame(10, 0));

    Frames.Read read = Frames.read(c.bytes());

    assertThat(read.frames()).isEmpty();
    assertThat(read.stats().truncation())
        .isEqualTo(
            "file ends inside packet record 1 at byte offset 24: 10 of 200000 bytes present");
  }

  @Test
  void rejectsAnUnknownMajorVersion() {
    byte[] file =
        CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, MICROS, 65535, LINKTYPE_ETHERNET).bytes();
    file[4] = 1; // version 1.4

    assertThatThrownBy(() -> Frames.read(file))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessage("test.pcap: unsupported pcap version 1.4 (only 2.x is defined)");
  }
}
