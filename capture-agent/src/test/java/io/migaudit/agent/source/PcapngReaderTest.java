package io.migaudit.agent.source;

import static io.migaudit.agent.source.CaptureBytes.LINKTYPE_ETHERNET;
import static io.migaudit.agent.source.CaptureBytes.LINKTYPE_LINUX_SLL;
import static io.migaudit.agent.source.CaptureBytes.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** pcapng: sections, interfaces and their resolutions, the packet blocks, and corrupt blocks. */
class PcapngReaderTest {
  private static final int IF_TSRESOL = 9;
  private static final int IF_TSOFFSET = 14;
  private static final long T0 = 1_700_000_000L;

  @ParameterizedTest
  @EnumSource(PcapReaderTest.Order.class)
  void readsTwoInterfacesWithTheirOwnLinkTypesAndResolutions(PcapReaderTest.Order o)
      throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(o.order);
    c.idb(LINKTYPE_ETHERNET, 65535) // no if_tsresol: microseconds
        .idb(LINKTYPE_LINUX_SLL, 262144, c.option(IF_TSRESOL, new byte[] {9})) // nanoseconds
        .epb(0, T0 * 1_000_000L + 42, frame(60, 1), 60)
        .epb(1, T0 * 1_000_000_000L + 123_456_789L, frame(44, 2), 1500);

    Frames.Read read = Frames.read(c.bytes());

    assertThat(read.frames()).hasSize(2);
    Frames.Frame ethernet = read.frames().get(0);
    assertThat(ethernet.linkType()).isEqualTo(LINKTYPE_ETHERNET);
    assertThat(ethernet.micros()).isEqualTo(T0 * 1_000_000L + 42);
    assertThat(ethernet.data()).isEqualTo(frame(60, 1));
    Frames.Frame cooked = read.frames().get(1);
    assertThat(cooked.linkType()).isEqualTo(LINKTYPE_LINUX_SLL);
    assertThat(cooked.micros()).isEqualTo(T0 * 1_000_000L + 123_456);
    assertThat(cooked.originalLength()).isEqualTo(1500);
    assertThat(cooked.data()).isEqualTo(frame(44, 2));
    assertThat(read.stats()).isEqualTo(new SourceStats(2, 104, null));
  }

  @Test
  void convertsPowerOfTwoAndCoarsePowerOfTenResolutions() throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN);
    c.idb(LINKTYPE_ETHERNET, 0, c.option(IF_TSRESOL, new byte[] {(byte) 0x94})) // 2^-20 s
        .idb(LINKTYPE_ETHERNET, 0, c.option(IF_TSRESOL, new byte[] {3})) // milliseconds
        .epb(0, (T0 << 20) | (1 << 19), frame(1, 0), 1) // T0 + 0.5 s
        .epb(1, T0 * 1000 + 250, frame(1, 0), 1); // T0 + 0.25 s

    Frames.Read read = Frames.read(c.bytes());

    assertThat(read.frames())
        .extracting(Frames.Frame::micros)
        .containsExactly(T0 * 1_000_000L + 500_000, T0 * 1_000_000L + 250_000);
  }

  @Test
  void addsTheInterfaceTimestampOffset() throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.BIG_ENDIAN);
    c.idb(LINKTYPE_ETHERNET, 0, c.option(IF_TSOFFSET, c.longValue(T0))).epb(0, 7, frame(1, 0), 1);

    assertThat(Frames.read(c.bytes()).frames().get(0).micros()).isEqualTo(T0 * 1_000_000L + 7);
  }

  @Test
  void aNewSectionInTheOtherByteOrderBringsItsOwnInterfaces() throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN);
    c.idb(LINKTYPE_ETHERNET, 0).epb(0, 1, frame(10, 0), 10);
    c.shb(ByteOrder.BIG_ENDIAN, 1);
    c.idb(LINKTYPE_LINUX_SLL, 0).epb(0, 2, frame(20, 0), 20);

    Frames.Read read = Frames.read(c.bytes());

    assertThat(read.frames())
        .extracting(Frames.Frame::linkType)
        .containsExactly(LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL);
    assertThat(read.frames()).extracting(Frames.Frame::micros).containsExactly(1L, 2L);
    assertThat(read.stats().truncation()).isNull();
  }

  @Test
  void aSimplePacketBlockUsesInterfaceZeroItsSnaplenAndThePreviousTime() throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN);
    c.idb(LINKTYPE_ETHERNET, 8).epb(0, 5_000_000, frame(8, 0), 8).spb(frame(12, 4), 1514);

    Frames.Read read = Frames.read(c.bytes());

    assertThat(read.frames()).hasSize(2);
    Frames.Frame simple = read.frames().get(1);
    assertThat(simple.data()).isEqualTo(frame(8, 4));
    assertThat(simple.originalLength()).isEqualTo(1514);
    assertThat(simple.micros()).isEqualTo(5_000_000L);
  }

  @Test
  void aSimplePacketBlockShorterThanItsPaddingKeepsTheOriginalLength() throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.BIG_ENDIAN);
    c.idb(LINKTYPE_ETHERNET, 0).spb(frame(5, 0), 5); // 5 bytes padded to 8

    assertThat(Frames.read(c.bytes()).frames().get(0).data()).isEqualTo(frame(5, 0));
  }

  @Test
  void readsTheObsoletePacketBlock() throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.BIG_ENDIAN);
    c.idb(LINKTYPE_ETHERNET, 0).idb(LINKTYPE_LINUX_SLL, 0).pb(1, 99, frame(13, 3), 13);

    Frames.Read read = Frames.read(c.bytes());

    assertThat(read.frames())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.linkType()).isEqualTo(LINKTYPE_LINUX_SLL);
              assertThat(f.micros()).isEqualTo(99);
              assertThat(f.data()).isEqualTo(frame(13, 3));
            });
  }

  @Test
  void skipsEveryOtherBlockTypeByItsLength() throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN);
    c.block(CaptureBytes.BLOCK_NRB, c.body(16));
    c.idb(LINKTYPE_ETHERNET, 0);
    c.block(CaptureBytes.BLOCK_ISB, c.body(20));
    c.block(0x40000BAD, c.body(0)); // custom block, empty body
    c.epb(0, 1, frame(10, 0), 10);
    c.block(0x00000BAD, c.body(1024));

    Frames.Read read = Frames.read(c.bytes());

    assertThat(read.frames()).hasSize(1);
    assertThat(read.stats().truncation()).isNull();
  }

  @Test
  void aFileCutInsideAPacketBlockKeepsThePacketsBeforeIt() throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN);
    c.idb(LINKTYPE_ETHERNET, 0).epb(0, 1, frame(60, 0), 60);
    int second = c.size();
    c.epb(0, 2, frame(1514, 0), 1514);

    Frames.Read read = Frames.read(Arrays.copyOf(c.bytes(), second + 28 + 40));

    assertThat(read.frames()).hasSize(1);
    assertThat(read.stats().truncation())
        .isEqualTo(
            "file ends inside block 4 (Enhanced Packet Block) at byte offset "
                + second
                + ": 68 of 1548 bytes present");
  }

  @Test
  void aFileCutInsideABlockHeaderKeepsThePacketsBeforeIt() throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.BIG_ENDIAN);
    c.idb(LINKTYPE_ETHERNET, 0).epb(0, 1, frame(60, 0), 60);
    int end = c.size();
    c.epb(0, 2, frame(60, 0), 60);

    Frames.Read read = Frames.read(Arrays.copyOf(c.bytes(), end + 5));

    assertThat(read.frames()).hasSize(1);
    assertThat(read.stats().truncation())
        .isEqualTo(
            "file ends inside the header of block 4 at byte offset "
                + end
                + ": 5 of 8 bytes present");
  }

  @Test
  void aFileCutInsideTheFirstSectionHeaderIsAnEmptyTruncatedCapture() throws Exception {
    byte[] whole = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN).bytes();

    Frames.Read read = Frames.read(Arrays.copyOf(whole, 20));

    assertThat(read.frames()).isEmpty();
    assertThat(read.stats().truncation())
        .startsWith("file ends inside block 1 (Section Header Block) at byte offset 0");
  }

  @Test
  void aBlockLengthThatIsNotAMultipleOfFourIsCorrupt() throws Exception {
    assertCorruptAfterOnePacket(
        c -> c.i32(CaptureBytes.BLOCK_EPB).i32(45).raw(new byte[37]),
        "block 4 (Enhanced Packet Block) at byte offset %d is corrupt: block length 45 is not a multiple of 4");
  }

  @Test
  void aBlockLengthBelowItsTypesMinimumIsCorrupt() throws Exception {
    assertCorruptAfterOnePacket(
        c -> c.i32(CaptureBytes.BLOCK_EPB).i32(16).i32(0).i32(16),
        "block 4 (Enhanced Packet Block) at byte offset %d is corrupt: block length 16 is below the minimum of 32");
  }

  @Test
  void aHugeBlockLengthIsCorrupt() throws Exception {
    assertCorruptAfterOnePacket(
        c -> c.i32(0x0BAD).i32(0x7FFFFFFC),
        "block 4 (block type 0x00000bad) at byte offset %d is corrupt: block length 2147483644 exceeds the limit of 268435456");
  }

  @Test
  void aTrailingLengthThatDiffersFromTheLeadingOneIsCorrupt() throws Exception {
    assertCorruptAfterOnePacket(
        c -> c.i32(CaptureBytes.BLOCK_NRB).i32(16).i32(0).i32(20),
        "block 4 (block type 0x00000004) at byte offset %d is corrupt: trailing block length 20 differs from the leading 16");
  }

  @Test
  void aCapturedLengthBeyondTheBlockIsCorrupt() throws Exception {
    assertCorruptAfterOnePacket(
        c -> {
          ByteBuffer body = c.body(20 + 8);
          body.putInt(0).putInt(0).putInt(0).putInt(9).putInt(9);
          c.block(CaptureBytes.BLOCK_EPB, body);
        },
        "block 4 (Enhanced Packet Block) at byte offset %d is corrupt: captured length 9 exceeds the block's room of 8 bytes");
  }

  @Test
  void aPacketOnAnUndescribedInterfaceIsCorrupt() throws Exception {
    assertCorruptAfterOnePacket(
        c -> c.epb(3, 0, frame(4, 0), 4),
        "block 4 (Enhanced Packet Block) at byte offset %d is corrupt: refers to interface 3 but the section describes 1");
  }

  @Test
  void aSimplePacketBlockBeforeAnyInterfaceIsCorrupt() throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN).spb(frame(4, 0), 4);

    Frames.Read read = Frames.read(c.bytes());

    assertThat(read.frames()).isEmpty();
    assertThat(read.stats().truncation())
        .isEqualTo(
            "block 2 (Simple Packet Block) at byte offset 28 is corrupt: "
                + "no Interface Description Block precedes it");
  }

  @Test
  void aBadByteOrderMagicInALaterSectionIsCorrupt() throws Exception {
    assertCorruptAfterOnePacket(
        c -> c.i32(CaptureBytes.BLOCK_SHB).i32(28).i32(0x11223344).raw(new byte[16]),
        "block 4 (Section Header Block) at byte offset %d is corrupt: "
            + "byte-order magic 0x44332211 is neither 0x1a2b3c4d nor 0x4d3c2b1a");
  }

  @Test
  void aBadByteOrderMagicInTheFirstSectionIsNotACapture() {
    byte[] file = CaptureBytes.pcapng(ByteOrder.BIG_ENDIAN).bytes();
    file[8] = 0x55;

    assertThatThrownBy(() -> Frames.read(file))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessage(
            "test.pcap: not a pcapng file (byte-order magic 0x552b3c4d is neither 0x1a2b3c4d nor 0x4d3c2b1a)");
  }

  @Test
  void anUnknownMajorVersionIsRejected() {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN);
    c.shb(ByteOrder.LITTLE_ENDIAN, 2);
    byte[] file = Arrays.copyOfRange(c.bytes(), 28, 56);

    assertThatThrownBy(() -> Frames.read(file))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessage("test.pcap: unsupported pcapng version 2.0");
  }

  private interface Appender {
    void append(CaptureBytes c);
  }

  /** One good packet, then the block {@code broken} appends: one packet and the given report. */
  private static void assertCorruptAfterOnePacket(Appender broken, String expected)
      throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.LITTLE_ENDIAN);
    c.idb(LINKTYPE_ETHERNET, 0).epb(0, 1, frame(60, 0), 60);
    int offset = c.size();
    broken.append(c);
    c.idb(LINKTYPE_ETHERNET, 0).epb(0, 2, frame(60, 0), 60); // never reached

    Frames.Read read = Frames.read(c.bytes());

    assertThat(read.frames()).hasSize(1);
    assertThat(read.stats().truncation()).isEqualTo(String.format(expected, offset));
  }
}
