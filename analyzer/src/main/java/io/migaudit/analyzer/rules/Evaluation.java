package io.migaudit.analyzer.rules;

import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import java.util.List;

/**
 * The rule engine's answer for one flow record.
 *
 * @param flow the record, labelled with its migration protocol when it is a migration
 * @param alerts alerts raised for the first time by this record (usually none)
 */
public record Evaluation(ClassifiedFlow flow, List<Alert> alerts) {

  public Evaluation {
    alerts = List.copyOf(alerts);
  }

  public FlowRecord record() {
    return flow.record();
  }

  public boolean migration() {
    return flow.migration();
  }
}
