package io.migaudit.agent.source;

import static io.migaudit.agent.source.CaptureBytes.LINKTYPE_ETHERNET;
import static io.migaudit.agent.source.CaptureBytes.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening files: format detection, gzip, and the one-line errors for input that is no capture. */
class PcapFileSourceTest {
  @TempDir Path dir;

  private static byte[] pcap(int packets) {
    CaptureBytes c =
        CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, 65535, LINKTYPE_ETHERNET);
    for (int i = 0; i < packets; i++) {
      c.record(1000 + i, i, frame(100, i), 100);
    }
    return c.bytes();
  }

  @Test
  void opensAFileByPathAndNamesItByPath() throws Exception {
    Path file = dir.resolve("two.pcap");
    Files.write(file, pcap(2));
    try (PcapFileSource source = PcapFileSource.open(file)) {
      CapturedPacket packet = new CapturedPacket();
      assertThat(source.next(packet)).isTrue();
      assertThat(source.next(packet)).isTrue();
      assertThat(source.next(packet)).isFalse();
      assertThat(source.name()).isEqualTo(file.toString());
      assertThat(source.stats()).isEqualTo(new SourceStats(2, 200, null));
    }
  }

  @Test
  void readsGzipCompressedPcap() throws Exception {
    Frames.Read read = Frames.read(CaptureBytes.gzip(pcap(3)));

    assertThat(read.frames()).hasSize(3);
    assertThat(read.frames().get(2).data()).isEqualTo(frame(100, 2));
    assertThat(read.stats().truncation()).isNull();
  }

  @Test
  void readsGzipCompressedPcapng() throws Exception {
    CaptureBytes c = CaptureBytes.pcapng(ByteOrder.BIG_ENDIAN);
    c.idb(LINKTYPE_ETHERNET, 0).epb(0, 5, frame(70, 0), 70);

    Frames.Read read = Frames.read(CaptureBytes.gzip(c.bytes()));

    assertThat(read.frames())
        .singleElement()
        .satisfies(f -> assertThat(f.data()).isEqualTo(frame(70, 0)));
  }

  @Test
  void framesASelectorDeclinesAreSkippedAndTheRestReadAsWithout() throws Exception {
    CaptureBytes c =
        CaptureBytes.pcap(ByteOrder.LITTLE_ENDIAN, 0xA1B2C3D4, 262_144, LINKTYPE_ETHERNET);
    for (int i = 0; i < 500; i++) { // some frames longer than the read-ahead buffer
      int length = i % 97 == 5 ? CaptureInput.READ_AHEAD_BYTES + 4_000 + i : 60 + i % 1400;
      c.record(1000 + i, i, frame(length, i), length + 4);
    }
    byte[] plain = c.bytes();
    // declines the frames whose first byte is odd (frame(n, i) starts at i)
    FrameSelector even = (linkType, frame, offset, length) -> (frame[offset] & 1) == 0;
    for (byte[] capture :
        List.of(plain, CaptureBytes.gzip(plain), Arrays.copyOf(plain, plain.length * 2 / 3))) {
      Frames.Read all = Frames.read(capture);
      Frames.Read selected = Frames.readSelecting(capture, even);
      assertThat(selected.stats()).isEqualTo(all.stats());
      assertThat(selected.frames()).hasSameSizeAs(all.frames());
      for (int i = 0; i < all.frames().size(); i++) {
        Frames.Frame a = all.frames().get(i);
        Frames.Frame s = selected.frames().get(i);
        assertThat(s.micros()).isEqualTo(a.micros());
        assertThat(s.originalLength()).isEqualTo(a.originalLength());
        if ((a.data()[0] & 1) == 0) {
          assertThat(s.data()).as("frame %d kept", i).isEqualTo(a.data());
        } else {
          assertThat(s.data()).as("frame %d skipped", i).isNull();
        }
      }
    }
  }

  @Test
  void aCutGzipStreamKeepsThePacketsBeforeTheCutWhenSelecting() throws Exception {
    byte[] gz = CaptureBytes.gzip(pcap(500));
    byte[] cut = Arrays.copyOf(gz, gz.length / 2);
    FrameSelector none = (linkType, frame, offset, length) -> false;
    Frames.Read all = Frames.read(cut);
    Frames.Read selected = Frames.readSelecting(cut, none);
    assertThat(selected.frames()).hasSameSizeAs(all.frames()).allMatch(f -> f.data() == null);
    assertThat(selected.stats()).isEqualTo(all.stats());
    assertThat(selected.stats().truncation())
        .startsWith("gzip stream breaks off at uncompressed byte offset ");
  }

  @Test
  void aCutGzipStreamKeepsThePacketsBeforeTheCut() throws Exception {
    byte[] gz = CaptureBytes.gzip(pcap(500));
    byte[] cut = Arrays.copyOf(gz, gz.length / 2);

    Frames.Read read = Frames.read(cut);

    assertThat(read.frames()).isNotEmpty().hasSizeLessThan(500);
    assertThat(read.stats().truncation())
        .startsWith("gzip stream breaks off at uncompressed byte offset ");
  }

  @Test
  void aDamagedGzipStreamKeepsThePacketsBeforeTheDamage() throws Exception {
    byte[] gz = CaptureBytes.gzip(pcap(500));
    for (int i = gz.length / 2; i < gz.length / 2 + 64; i++) {
      gz[i] = (byte) 0xFF;
    }

    Frames.Read read = Frames.read(gz);

    assertThat(read.frames()).hasSizeLessThan(500);
    assertThat(read.stats().truncated()).isTrue();
  }

  @Test
  void aFileThatIsNoCaptureFailsWithItsMagic() throws IOException {
    Path file = dir.resolve("x.pcap");
    Files.writeString(file, "<html><body>not found</body></html>", StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> PcapFileSource.open(file))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessage(file + ": not a pcap or pcapng file (magic 0x3c68746d)");
  }

  @Test
  void aGzippedFileThatIsNoCaptureFailsWithItsMagic() throws IOException {
    byte[] gz = CaptureBytes.gzip("hello world".getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> PcapFileSource.open(new ByteArrayInputStream(gz), "x.pcap.gz"))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessage("x.pcap.gz: not a pcap or pcapng file (magic 0x68656c6c)");
  }

  @Test
  void anEmptyFileIsNoCapture() throws IOException {
    Path file = dir.resolve("empty.pcap");
    Files.write(file, new byte[0]);

    assertThatThrownBy(() -> PcapFileSource.open(file))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessage(file + ": not a pcap or pcapng file (empty)");
  }

  @Test
  void aThreeByteFileIsNoCapture() {
    assertThatThrownBy(
            () ->
                PcapFileSource.open(
                    new ByteArrayInputStream(new byte[] {(byte) 0xD4, (byte) 0xC3, (byte) 0xB2}),
                    "t"))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessage("t: not a pcap or pcapng file (only 3 bytes)");
  }

  @Test
  void aDamagedGzipHeaderIsNoCapture() {
    byte[] bytes = {0x1F, (byte) 0x8B, 0x07, 0, 0, 0};

    assertThatThrownBy(() -> PcapFileSource.open(new ByteArrayInputStream(bytes), "bad.gz"))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessageStartingWith("bad.gz: damaged gzip header");
  }

  @Test
  void aGzipStreamDamagedBeforeItsFirstBytesIsNoCapture() {
    // as fuzzing found it: a gzip header whose file name (FNAME) runs to the last bytes, then a
    // deflate stream that ends before it yields the capture's first byte
    byte[] bytes = new byte[123];
    Arrays.fill(bytes, 5, 118, (byte) 0xFF);
    System.arraycopy(new byte[] {0x1F, (byte) 0x8B, 0x08, 0x29, 0}, 0, bytes, 0, 5);

    assertThatThrownBy(() -> PcapFileSource.open(new ByteArrayInputStream(bytes), "cut.gz"))
        .isInstanceOf(CaptureFormatException.class)
        .hasMessageStartingWith("cut.gz: not a readable capture (gzip stream breaks off at");
  }

  @Test
  void aMissingFileFailsWithOneLine() {
    Path file = dir.resolve("missing.pcap");

    assertThatThrownBy(() -> PcapFileSource.open(file))
        .isInstanceOf(IOException.class)
        .hasMessage(file + ": no such file");
  }

  @Test
  void aDirectoryFailsWithOneLine() {
    assertThatThrownBy(() -> PcapFileSource.open(dir))
        .isInstanceOf(IOException.class)
        .hasMessage(dir + ": is a directory, not a capture file");
  }

  @Test
  void nextAfterCloseReturnsFalse() throws Exception {
    PcapFileSource source = PcapFileSource.open(new ByteArrayInputStream(pcap(2)), "c.pcap");
    source.close();

    assertThat(source.next(new CapturedPacket())).isFalse();
  }
}
