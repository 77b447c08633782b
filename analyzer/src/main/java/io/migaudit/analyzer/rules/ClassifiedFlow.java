package io.migaudit.analyzer.rules;

import io.migaudit.record.FlowRecord;

/**
 * A flow record with its {@link FlowKind}. For a migration the record carries the protocol label
 * (from the agent, the policy's catalog or a tunnel label); otherwise (NFC included) its label is
 * null.
 */
public record ClassifiedFlow(FlowRecord record, FlowKind kind) {

  public boolean migration() {
    return kind == FlowKind.MIGRATION;
  }

  /** The migration protocol, null when this is not a migration. */
  public String protocol() {
    return record.protocol();
  }
}
