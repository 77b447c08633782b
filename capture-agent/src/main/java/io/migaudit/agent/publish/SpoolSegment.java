package io.migaudit.agent.publish;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One append-only file of a {@link Spool}: an 8-byte magic, then entries, each a 4-byte big-endian
 * length, the CRC-32C of the entry's bytes (4 bytes, big-endian) and the bytes. Not thread-safe:
 * the spool serializes every call.
 */
final class SpoolSegment {
  static final byte[] MAGIC = "MIGSPL01".getBytes(StandardCharsets.US_ASCII);
  static final int ENTRY_HEADER_BYTES = 8;

  /**
   * Flow records are a few hundred bytes of JSON; a length above this is a damaged file, not a
   * record.
   */
  static final int MAX_ENTRY_BYTES = 1024 * 1024;

  static final String SUFFIX = ".seg";

  final long id;
  final Path path;
  private final FileChannel channel;
  private long sizeBytes;
  private int entries;

  private SpoolSegment(long id, Path path, FileChannel channel, long sizeBytes, int entries) {
    this.id = id;
    this.path = path;
    this.channel = channel;
    this.sizeBytes = sizeBytes;
    this.entries = entries;
  }

  static Path pathOf(Path dir, long id) {
    return dir.resolve(String.format("%020d%s", id, SUFFIX));
  }

  /** A new, empty segment. */
  static SpoolSegment create(Path dir, long id) throws IOException {
    Path path = pathOf(dir, id);
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    FileChannel ch =
        FileChannel.open(
            path,
            SpoolDirectory.openOptions(
                posix,
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE),
            SpoolDirectory.fileAttributes(posix));
    ch.write(ByteBuffer.wrap(MAGIC), 0);
    return new SpoolSegment(id, path, ch, MAGIC.length, 0);
  }

  /**
   * What {@link #recover} found: the segment, and the bytes of a torn or damaged tail it cut off.
   */
  record Recovered(SpoolSegment segment, long cutBytes) {}

  /**
   * Opens a segment left by an earlier run, keeping every whole entry with a good CRC and cutting
   * the file at the first one that is not (the tail a crash tore off mid-write).
   *
   * @throws IOException if the file does not start with the magic: not a spool segment
   */
  static Recovered recover(Path path, long id) throws IOException {
    FileChannel ch;
    try {
      // a link planted in place of a segment is refused (ELOOP), not followed
      ch =
          FileChannel.open(
              path, StandardOpenOption.READ, StandardOpenOption.WRITE, SpoolDirectory.NO_FOLLOW);
    } catch (IOException e) {
      // the JDK's ELOOP error names no file
      throw e instanceof FileSystemException f && f.getFile() != null
          ? e
          : new IOException(path + ": " + e.getMessage(), e);
    }
    try {
      ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
      ch.read(magic, 0);
      if (magic.position() < MAGIC.length || !Arrays.equals(magic.array(), MAGIC)) {
        throw new IOException(
            path
                + ": not a spool segment (no "
                + new String(MAGIC, StandardCharsets.US_ASCII)
                + " header)");
      }
      long fileBytes = ch.size();
      long offset = MAGIC.length;
      int entries = 0;
      while (true) {
        byte[] entry = readAt(ch, offset, fileBytes);
        if (entry == null) {
          break;
        }
        offset += ENTRY_HEADER_BYTES + entry.length;
        entries++;
      }
      if (offset < fileBytes) {
        ch.truncate(offset);
        ch.force(true);
      }
      return new Recovered(new SpoolSegment(id, path, ch, offset, entries), fileBytes - offset);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Appends one entry: one write call, so a killed process leaves whole entries or a torn tail. */
  void append(byte[] entry) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(ENTRY_HEADER_BYTES + entry.length);
    buf.putInt(entry.length).putInt(crc(entry)).put(entry).flip();
    long at = sizeBytes;
    while (buf.hasRemaining()) {
      at += channel.write(buf, at);
    }
    sizeBytes = at;
    entries++;
  }

  /** Whole entries from {@code offset} on, at most {@code max}; stops early at a damaged entry. */
  List<byte[]> read(long offset, int max) throws IOException {
    List<byte[]> out = new ArrayList<>();
    long at = offset;
    while (out.size() < max) {
      byte[] entry = readAt(channel, at, sizeBytes);
      if (entry == null) {
        break;
      }
      out.add(entry);
      at += ENTRY_HEADER_BYTES + entry.length;
    }
    return out;
  }

  /** The entry at {@code offset}, or null at the end, at a torn entry or at a CRC mismatch. */
  private static byte[] readAt(FileChannel ch, long offset, long end) throws IOException {
    if (end - offset < ENTRY_HEADER_BYTES) {
      return null;
    }
    ByteBuffer header = ByteBuffer.allocate(ENTRY_HEADER_BYTES);
    readFully(ch, header, offset);
    int length = header.getInt(0);
    int crc = header.getInt(4);
    if (length < 0 || length > MAX_ENTRY_BYTES || end - offset - ENTRY_HEADER_BYTES < length) {
      return null;
    }
    ByteBuffer body = ByteBuffer.allocate(length);
    readFully(ch, body, offset + ENTRY_HEADER_BYTES);
    byte[] entry = body.array();
    return crc(entry) == crc ? entry : null;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long offset) throws IOException {
    long at = offset;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, at);
      if (n < 0) {
        throw new IOException("spool segment shorter than its recorded size");
      }
      at += n;
    }
  }

  private static int crc(byte[] entry) {
    CRC32C c = new CRC32C();
    c.update(entry);
    return (int) c.getValue();
  }

  /** Entry bytes on disk, with header, of an entry of {@code payloadBytes}. */
  static long entryBytes(int payloadBytes) {
    return ENTRY_HEADER_BYTES + (long) payloadBytes;
  }

  long sizeBytes() {
    return sizeBytes;
  }

  int entries() {
    return entries;
  }

  void sync() throws IOException {
    channel.force(false);
  }

  void close() throws IOException {
    channel.close();
  }

  void delete() throws IOException {
    channel.close();
    Files.deleteIfExists(path);
  }
}
