package io.migaudit.analyzer.alert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Cuts an unfinished last line (no newline at its end) off a JSON-lines file. */
final class TornLine {
  private static final int CHUNK = 8192;

  private TornLine() {}

  /**
   * Truncates {@code file} just after its last newline when it does not end with one.
   *
   * @return the bytes cut off; 0 when the file is missing, empty or ends with a newline
   */
  static long cut(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      long keep = lastNewlineEnd(ch, size);
      if (keep == size) {
        return 0;
      }
      ch.truncate(keep);
      ch.force(false);
      return size - keep;
    }
  }

  /** The offset just after the last {@code '\n'} of the first {@code size} bytes, or 0. */
  private static long lastNewlineEnd(FileChannel ch, long size) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    long end = size;
    while (end > 0) {
      long start = Math.max(0, end - CHUNK);
      buf.clear().limit((int) (end - start));
      while (buf.hasRemaining() && ch.read(buf, start + buf.position()) >= 0) {
        // read the whole chunk
      }
      for (int i = (int) (end - start) - 1; i >= 0; i--) {
        if (buf.get(i) == '\n') {
          return start + i + 1;
        }
      }
      end = start;
    }
    return 0;
  }
}
