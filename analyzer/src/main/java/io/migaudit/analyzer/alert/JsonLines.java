package io.migaudit.analyzer.alert;

import io.migaudit.record.RecordJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A JSON-lines output: one {@link RecordJson} line per record, flushed to the disk on {@link
 * #flush()} so that a consumer may commit its offsets after it. Shared by the alert and migration
 * event writers.
 */
final class JsonLines implements AutoCloseable {
  private final Writer out;
  private final FileChannel channel;
  private final String what;
  private java.util.function.Function<Object, String> lineOf = RecordJson::toLine;

  private JsonLines(Writer out, FileChannel channel, String what) {
    this.out = out;
    this.channel = channel;
    this.what = what;
  }

  /** These lines, each record rendered by {@code renderer} instead of {@link RecordJson#toLine}. */
  JsonLines renderedBy(java.util.function.Function<Object, String> renderer) {
    this.lineOf = renderer;
    return this;
  }

  /** Lines to {@code out}; {@code flush} flushes it, {@code close} closes it. */
  static JsonLines to(Writer out, String what) {
    return new JsonLines(out, null, what);
  }

  /** A new or emptied file. */
  static JsonLines create(Path file, String what) throws IOException {
    return open(file, StandardOpenOption.TRUNCATE_EXISTING, what);
  }

  /** A file kept across restarts: lines are added at its end. */
  static JsonLines append(Path file, String what) throws IOException {
    return open(file, StandardOpenOption.APPEND, what);
  }

  private static JsonLines open(Path file, OpenOption mode, String what) throws IOException {
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
    return new JsonLines(Channels.newWriter(channel, StandardCharsets.UTF_8), channel, what);
  }

  void write(List<?> records) {
    try {
      for (Object r : records) {
        out.write(lineOf.apply(r));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + what, e);
    }
  }

  void flush() {
    try {
      out.flush();
      if (channel != null) {
        channel.force(false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot flush " + what, e);
    }
  }

  @Override
  public void close() {
    try {
      flush();
    } finally {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close the file of " + what, e);
      }
    }
  }
}
