package io.migaudit.cli.replay;

import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes every flow record the analyzer read as one JSON line ({@code --flows FILE}). */
final class FlowLinesWriter implements FlowObserver, AutoCloseable {
  private final BufferedWriter out;

  FlowLinesWriter(Path file) throws IOException {
    this.out = Files.newBufferedWriter(file);
  }

  @Override
  public void onRecord(FlowRecord record, boolean migration, String protocol) {
    try {
      out.write(RecordJson.toLine(record));
      out.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
