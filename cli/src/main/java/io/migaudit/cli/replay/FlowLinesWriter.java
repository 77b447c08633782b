package io.migaudit.cli.replay;

import io.migaudit.analyzer.alert.JsonLinesSink;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.record.FlowRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes every flow record the analyzer read as one JSON line ({@code --flows FILE}). */
final class FlowLinesWriter implements FlowObserver, AutoCloseable {
  private final JsonLinesSink<FlowRecord> out;

  FlowLinesWriter(Path file) throws IOException {
    this.out = JsonLinesSink.create(file, "flow records");
  }

  @Override
  public void onRecord(FlowRecord record, boolean migration, String protocol) {
    out.write(List.of(record));
  }

  @Override
  public void close() {
    out.close();
  }
}
