package io.migaudit.analyzer.alert;

import io.migaudit.record.Alert;
import io.migaudit.record.RecordJson;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes alerts as JSON lines (one {@link RecordJson#toLine} object per line). {@link #flush()} on
 * a file also forces it to disk, so a committed offset never points past an alert lost in a crash.
 */
public final class AlertWriter implements AlertSink {
  private static final String WHAT = "alerts";

  private final JsonLines lines;

  private AlertWriter(JsonLines lines) {
    this.lines = lines;
  }

  /**
   * Writes to {@code out}, e.g. standard output; {@code flush} flushes it, {@code close} closes it.
   */
  public AlertWriter(Writer out) {
    this(JsonLines.to(out, WHAT));
  }

  /** A new or emptied file (the replay command's {@code --alerts}). */
  public static AlertWriter create(Path file) throws IOException {
    return create(file, AlertFormat.MIGAUDIT);
  }

  /** A new or emptied file of alerts in {@code format}. */
  public static AlertWriter create(Path file, AlertFormat format) throws IOException {
    return new AlertWriter(format.apply(JsonLines.create(file, WHAT)));
  }

  /** A file kept across restarts: alerts are added at its end. */
  public static AlertWriter append(Path file) throws IOException {
    return append(file, AlertFormat.MIGAUDIT);
  }

  /** A file kept across restarts, alerts in {@code format} added at its end. */
  public static AlertWriter append(Path file, AlertFormat format) throws IOException {
    return new AlertWriter(format.apply(JsonLines.append(file, WHAT)));
  }

  @Override
  public void write(List<Alert> alerts) {
    lines.write(alerts);
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
