package io.migaudit.agent.publish;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * A {@link Spool}'s directory: the {@code lock} file that keeps a second agent out, the {@code head}
 * file that remembers the read position (segment id and byte offset) across restarts, and the list
 * of segment files.
 */
final class SpoolDirectory implements AutoCloseable {
  static final String LOCK_FILE = "lock";
  static final String HEAD_FILE = "head";
  private static final int HEAD_BYTES = 16;

  final Path path;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final FileChannel headChannel;

  private SpoolDirectory(Path path, FileChannel lockChannel, FileLock lock, FileChannel headChannel) {
    this.path = path;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.headChannel = headChannel;
  }

  /**
   * Creates the directory if needed and locks it.
   *
   * @throws IOException if it cannot be used, or another process (or this one) has it open
   */
  static SpoolDirectory open(Path path) throws IOException {
    Files.createDirectories(path);
    FileChannel lockChannel = FileChannel.open(path.resolve(LOCK_FILE), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    try {
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // this JVM holds it already
      }
      if (lock == null) {
        throw new IOException(path + ": spool directory in use by another migaudit agent");
      }
      FileChannel head = FileChannel.open(path.resolve(HEAD_FILE), StandardOpenOption.CREATE,
          StandardOpenOption.READ, StandardOpenOption.WRITE);
      return new SpoolDirectory(path, lockChannel, lock, head);
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    }
  }

  /** The segment files, oldest first. */
  List<Path> segments() throws IOException {
    try (Stream<Path> list = Files.list(path)) {
      return list.filter(p -> p.getFileName().toString().matches("\\d{20}\\" + SpoolSegment.SUFFIX)).sorted().toList();
    }
  }

  static long idOf(Path segment) {
    return Long.parseLong(segment.getFileName().toString().substring(0, 20));
  }

  /** Remembers the read position; written on every acknowledgement, not fsynced (a crash resends a batch). */
  void saveHead(long segmentId, long offset) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(HEAD_BYTES);
    buf.putLong(segmentId).putLong(offset).flip();
    headChannel.write(buf, 0);
  }

  /** The saved read position in segment {@code segmentId}, or -1 if none was saved for it. */
  long headOffset(long segmentId) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(HEAD_BYTES);
    headChannel.read(buf, 0);
    return buf.position() < HEAD_BYTES || buf.getLong(0) != segmentId ? -1 : buf.getLong(8);
  }

  @Override
  public void close() throws IOException {
    try {
      headChannel.close();
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      lockChannel.close();
    }
  }
}
