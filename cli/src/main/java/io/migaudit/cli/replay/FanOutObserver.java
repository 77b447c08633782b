package io.migaudit.cli.replay;

import io.migaudit.analyzer.consume.FlowObserver;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.MigrationEvent;
import java.util.List;

/** Hands what the analyzer judged to several observers, in order. */
final class FanOutObserver implements FlowObserver {
  private final List<FlowObserver> observers;

  FanOutObserver(List<FlowObserver> observers) {
    this.observers = List.copyOf(observers);
  }

  @Override
  public void onRecord(FlowRecord record, boolean migration, String protocol) {
    observers.forEach(o -> o.onRecord(record, migration, protocol));
  }

  @Override
  public void onLateMigration(FlowRecord record, String protocol) {
    observers.forEach(o -> o.onLateMigration(record, protocol));
  }

  @Override
  public void onAlert(Alert alert) {
    observers.forEach(o -> o.onAlert(alert));
  }

  @Override
  public void onMigrationEvent(MigrationEvent event) {
    observers.forEach(o -> o.onMigrationEvent(event));
  }

  @Override
  public void onMalformed(String kind) {
    observers.forEach(o -> o.onMalformed(kind));
  }
}
