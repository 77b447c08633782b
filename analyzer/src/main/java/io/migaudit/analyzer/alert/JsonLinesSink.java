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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one JSON-lines output: one line per record ({@link RecordJson#toLine} unless {@link
 * #renderedBy} says otherwise), flushed and forced to the disk on {@link #flush()}, so that a
 * committed offset never points past a record lost in a crash. Alerts ({@link AlertFormat#create}),
 * migration events and flow records all go through it.
 *
 * @param <T> what it writes: a record {@link RecordJson} knows
 */
public final class JsonLinesSink<T> implements RecordSink<T> {
  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesSink.class);
  private final Writer out;
  private final FileChannel channel;
  private final String what;
  private Function<? super T, String> lineOf = RecordJson::toLine;

  private JsonLinesSink(Writer out, FileChannel channel, String what) {
    this.out = out;
    this.channel = channel;
    this.what = what;
  }

  /** These lines, each record rendered by {@code renderer} instead of {@link RecordJson#toLine}. */
  public JsonLinesSink<T> renderedBy(Function<? super T, String> renderer) {
    this.lineOf = renderer;
    return this;
  }

  /**
   * Lines of {@code what} (e.g. "alerts", for messages) to {@code out}, e.g. standard output;
   * {@code flush} flushes it, {@code close} closes it.
   */
  public static <T> JsonLinesSink<T> to(Writer out, String what) {
    return new JsonLinesSink<>(out, null, what);
  }

  /** A new or emptied file. */
  public static <T> JsonLinesSink<T> create(Path file, String what) throws IOException {
    return open(file, StandardOpenOption.TRUNCATE_EXISTING, what);
  }

  /**
   * A file kept across restarts: lines are added at its end. A last line without its newline was
   * being written when the process died (a crash or {@code kill -9} mid-write): it was never
   * flushed, so the offsets behind it were not committed and its record is written again. It is cut
   * off first, so that the next line does not run on from it and two records become one bad line.
   */
  public static <T> JsonLinesSink<T> append(Path file, String what) throws IOException {
    long cut = TornLine.cut(file);
    if (cut > 0) {
      LOG.warn(
          "{}: cut off a last line of {} bytes without its newline (the writer stopped"
              + " mid-line; its record is written again)",
          file,
          cut);
    }
    return open(file, StandardOpenOption.APPEND, what);
  }

  private static <T> JsonLinesSink<T> open(Path file, OpenOption mode, String what)
      throws IOException {
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
    return new JsonLinesSink<>(Channels.newWriter(channel, StandardCharsets.UTF_8), channel, what);
  }

  @Override
  public void write(List<T> records) {
    try {
      for (T r : records) {
        out.write(lineOf.apply(r));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + what, e);
    }
  }

  @Override
  public void flush() {
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
