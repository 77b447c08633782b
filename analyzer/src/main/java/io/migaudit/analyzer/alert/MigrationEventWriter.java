package io.migaudit.analyzer.alert;

import io.migaudit.record.MigrationEvent;
import io.migaudit.record.RecordJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes migration events as JSON lines, one line per update (the last line of an {@code eventId}
 * is its latest state). {@link #flush()} also forces the file to disk.
 */
public final class MigrationEventWriter implements MigrationEventSink {
  private final Writer out;
  private final FileChannel channel;

  private MigrationEventWriter(Writer out, FileChannel channel) {
    this.out = out;
    this.channel = channel;
  }

  public MigrationEventWriter(Writer out) {
    this(out, null);
  }

  /** A new or emptied file (the replay command's {@code --events}). */
  public static MigrationEventWriter create(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    return new MigrationEventWriter(Channels.newWriter(channel, StandardCharsets.UTF_8), channel);
  }

  @Override
  public void write(List<MigrationEvent> events) {
    try {
      for (MigrationEvent e : events) {
        out.write(RecordJson.toLine(e));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write migration events", e);
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
      throw new UncheckedIOException("cannot flush migration events", e);
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
        throw new UncheckedIOException("cannot close migration event file", e);
      }
    }
  }
}
