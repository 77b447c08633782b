package io.migaudit.analyzer.rules;

import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import java.util.List;

/**
 * The rule engine's answer for one flow record.
 *
 * @param flow the record, labelled with its migration protocol when it is a migration
 * @param alerts alerts raised for the first time by this record (usually none)
 * @param judgeLater true when a rule asked to judge this record after a grace period ({@link
 *     RuleEngine#judgeLater})
 */
public record Evaluation(ClassifiedFlow flow, List<Alert> alerts, boolean judgeLater) {

  public Evaluation {
    alerts = List.copyOf(alerts);
  }

  public Evaluation(ClassifiedFlow flow, List<Alert> alerts) {
    this(flow, alerts, false);
  }

  public FlowRecord record() {
    return flow.record();
  }

  public boolean migration() {
    return flow.migration();
  }
}
