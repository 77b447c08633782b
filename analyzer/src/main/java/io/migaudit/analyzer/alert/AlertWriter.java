package io.migaudit.analyzer.alert;

import io.migaudit.record.Alert;
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
 * Writes alerts as JSON lines (one {@link RecordJson#toLine} object per line). {@link #flush()} on
 * a file also forces it to disk, so a committed offset never points past an alert lost in a crash.
 */
public final class AlertWriter implements AlertSink {
  private final Writer out;
  private final FileChannel channel;

  private AlertWriter(Writer out, FileChannel channel) {
    this.out = out;
    this.channel = channel;
  }

  /**
   * Writes to {@code out}, e.g. standard output; {@code flush} flushes it, {@code close} closes it.
   */
  public AlertWriter(Writer out) {
    this(out, null);
  }

  /** A new or emptied file (the replay command's {@code --alerts}). */
  public static AlertWriter create(Path file) throws IOException {
    return open(file, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** A file kept across restarts: alerts are added at its end. */
  public static AlertWriter append(Path file) throws IOException {
    return open(file, StandardOpenOption.APPEND);
  }

  private static AlertWriter open(Path file, OpenOption mode) throws IOException {
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
    return new AlertWriter(Channels.newWriter(channel, StandardCharsets.UTF_8), channel);
  }

  @Override
  public void write(List<Alert> alerts) {
    try {
      for (Alert a : alerts) {
        out.write(RecordJson.toLine(a));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write alerts", e);
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
      throw new UncheckedIOException("cannot flush alerts", e);
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
        throw new UncheckedIOException("cannot close alert file", e);
      }
    }
  }
}
