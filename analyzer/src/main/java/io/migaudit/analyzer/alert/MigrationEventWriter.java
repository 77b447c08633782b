package io.migaudit.analyzer.alert;

import io.migaudit.record.MigrationEvent;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes migration events as JSON lines, one line per update (the last line of an {@code eventId}
 * is its latest state). {@link #flush()} also forces the file to disk.
 */
public final class MigrationEventWriter implements MigrationEventSink {
  private static final String WHAT = "migration events";

  private final JsonLines lines;

  private MigrationEventWriter(JsonLines lines) {
    this.lines = lines;
  }

  public MigrationEventWriter(Writer out) {
    this(JsonLines.to(out, WHAT));
  }

  /** A new or emptied file (the replay command's {@code --events}). */
  public static MigrationEventWriter create(Path file) throws IOException {
    return new MigrationEventWriter(JsonLines.create(file, WHAT));
  }

  @Override
  public void write(List<MigrationEvent> events) {
    lines.write(events);
  }

  @Override
  public void flush() {
    lines.flush();
  }

  @Override
  public void close() {
    lines.close();
  }
}
