package io.migaudit.agent.source;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads pcap and pcapng capture files, gzip-compressed or not, in pure Java. A file that ends
 * inside a record or holds a corrupt one is not an error: every complete packet before the break is
 * returned, then {@link #next} returns false and {@link #stats()} says where the file broke. Only
 * input that is not a capture at all, or cannot be read, throws.
 */
public final class PcapFileSource implements PacketSource {
  private static final int STREAM_BUFFER_BYTES = 1 << 16;

  /** RFC 1952, section 2.3.1: ID1 ID2. */
  private static final int GZIP_ID1 = 0x1F;

  private static final int GZIP_ID2 = 0x8B;
  private static final int MAGIC_LENGTH = 4;

  private final String name;
  private final CaptureInput input;
  private CaptureReader reader;
  private long packets;
  private long bytes;
  private String truncation;

  private PcapFileSource(String name, CaptureInput input) {
    this.name = name;
    this.input = input;
  }

  /**
   * Opens a capture file and reads its file header.
   *
   * @throws CaptureFormatException when the file is not a pcap, pcapng or gzip-compressed capture
   * @throws IOException when it cannot be opened; the message is one line naming the file
   */
  public static PcapFileSource open(Path path) throws IOException {
    if (Files.isDirectory(path)) {
      throw new IOException(path + ": is a directory, not a capture file");
    }
    InputStream raw;
    try {
      raw = Files.newInputStream(path);
    } catch (NoSuchFileException e) {
      throw new IOException(path + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new IOException(path + ": permission denied", e);
    }
    return open(raw, path.toString());
  }

  /**
   * Reads a capture from a stream (standard input, a test's bytes); the stream is closed with the
   * source, or right away when it is not a capture.
   */
  public static PcapFileSource open(InputStream stream, String name) throws IOException {
    InputStream in = new BufferedInputStream(stream, STREAM_BUFFER_BYTES);
    try {
      in = decompressed(in, name);
      PcapFileSource source = new PcapFileSource(name, new CaptureInput(in));
      source.readFileHeader();
      return source;
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  private static InputStream decompressed(InputStream in, String name) throws IOException {
    in.mark(2);
    int id1 = in.read();
    int id2 = in.read();
    in.reset();
    if (id1 != GZIP_ID1 || id2 != GZIP_ID2) {
      return in;
    }
    try {
      // no BufferedInputStream on top: its read keeps reading while available() says more may
      // come, and so loses the bytes before a cut (CaptureInput reads ahead by itself)
      return new GZIPInputStream(in, STREAM_BUFFER_BYTES);
    } catch (ZipException | EOFException e) {
      throw new CaptureFormatException(name + ": damaged gzip header (" + e.getMessage() + ")");
    }
  }

  private void readFileHeader() throws IOException {
    int n;
    try {
      n = input.readBlock(0, MAGIC_LENGTH);
    } catch (CaptureBreak b) { // a gzip stream damaged before its first bytes: nothing to read
      throw new CaptureFormatException(name + ": not a readable capture (" + b.getMessage() + ")");
    }
    if (n < MAGIC_LENGTH) {
      throw new CaptureFormatException(
          name
              + ": not a pcap or pcapng file ("
              + (n == 0 ? "empty" : "only " + n + " bytes")
              + ")");
    }
    int magic = input.magic();
    try {
      reader =
          switch (magic) {
            case PcapReader.MAGIC_MICROS, PcapReader.MAGIC_NANOS, PcapReader.MAGIC_MODIFIED ->
                new PcapReader(input, name, magic, true);
            case PcapReader.MAGIC_MICROS_SWAPPED,
                PcapReader.MAGIC_NANOS_SWAPPED,
                PcapReader.MAGIC_MODIFIED_SWAPPED ->
                new PcapReader(input, name, Integer.reverseBytes(magic), false);
            case PcapngReader.BLOCK_SECTION_HEADER -> new PcapngReader(input, name);
            default ->
                throw new CaptureFormatException(
                    String.format("%s: not a pcap or pcapng file (magic 0x%08x)", name, magic));
          };
    } catch (CaptureBreak b) {
      truncation = b.getMessage(); // a valid magic but a cut header: an empty capture, not an error
    }
  }

  @Override
  public boolean next(CapturedPacket into) throws IOException {
    return next(into, null);
  }

  /** As {@link PacketSource#next(CapturedPacket, FrameSelector)}; no selector: every frame. */
  @Override
  public boolean next(CapturedPacket into, FrameSelector selector) throws IOException {
    if (reader == null) {
      return false;
    }
    try {
      if (reader.next(into, selector)) {
        packets++;
        bytes += into.capturedLength();
        return true;
      }
    } catch (CaptureBreak b) {
      truncation = b.getMessage();
    }
    reader = null;
    return false;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SourceStats stats() {
    return new SourceStats(packets, bytes, truncation);
  }

  @Override
  public void close() throws IOException {
    reader = null;
    input.close();
  }
}
