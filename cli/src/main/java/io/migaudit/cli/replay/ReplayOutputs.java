package io.migaudit.cli.replay;

import io.migaudit.analyzer.alert.AlertFormat;
import io.migaudit.analyzer.alert.JsonLinesSink;
import io.migaudit.analyzer.alert.RecordSink;
import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.cli.common.AlertFormatConverter;
import io.migaudit.record.Alert;
import io.migaudit.record.MigrationEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/** The files {@code migaudit replay} writes besides its summary (a picocli mixin). */
final class ReplayOutputs {
  @Option(
      names = "--alerts",
      paramLabel = "FILE",
      description = "Write alerts as JSON lines to FILE.")
  Path alertsFile;

  @Option(
      names = "--alerts-format",
      paramLabel = "migaudit|ocsf",
      defaultValue = "migaudit",
      converter = AlertFormatConverter.class,
      description = AlertFormatConverter.DESCRIPTION)
  AlertFormat alertsFormat = AlertFormat.MIGAUDIT;

  @Option(
      names = "--events",
      paramLabel = "FILE",
      description =
          "Write migration events as JSON lines to FILE, one line per update (the last line of an"
              + " eventId is its latest state).")
  Path eventsFile;

  @Option(
      names = "--flows",
      paramLabel = "FILE",
      description = "Write every flow record the analyzer read as JSON lines to FILE.")
  Path flowsFile;

  @Option(
      names = "--metrics",
      paramLabel = "FILE",
      description =
          "Write the agent's and analyzer's metrics in Prometheus text format to FILE at the end.")
  Path metricsFile;

  /**
   * Opens the files asked for as sinks and observers of the run; {@code keep} takes each one to be
   * closed with the run.
   */
  void open(
      UnaryOperator<AutoCloseable> keep,
      List<RecordSink<Alert>> alertSinks,
      List<RecordSink<MigrationEvent>> eventSinks,
      List<FlowObserver> observers)
      throws IOException {
    if (alertsFile != null) {
      RecordSink<Alert> sink = alertsFormat.create(alertsFile);
      keep.apply(sink);
      alertSinks.add(sink);
    }
    if (eventsFile != null) {
      RecordSink<MigrationEvent> sink =
          JsonLinesSink.<MigrationEvent>create(eventsFile, "migration events");
      keep.apply(sink);
      eventSinks.add(sink);
    }
    if (flowsFile != null) {
      FlowLinesWriter writer = new FlowLinesWriter(flowsFile);
      keep.apply(writer);
      observers.add(writer);
    }
  }

  /** With --metrics, writes the run's metrics (Prometheus text) to its file. */
  void writeMetrics(Supplier<String> scrape) throws IOException {
    if (metricsFile != null) {
      Files.writeString(metricsFile, scrape.get());
    }
  }
}
