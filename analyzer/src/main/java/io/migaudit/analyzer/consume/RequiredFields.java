package io.migaudit.analyzer.consume;

import io.migaudit.record.FlowRecord;

/**
 * The fields a flow record needs before the rules can judge it. JSON binding accepts a record that
 * omits them (they become null), so they are checked here rather than failing inside a rule.
 */
final class RequiredFields {
  private RequiredFields() {}

  /** The name of the first required field that is missing, or null when all are present. */
  static String firstMissing(FlowRecord r) {
    if (r.flowId() == null) {
      return "flowId";
    }
    if (r.transport() == null) {
      return "transport";
    }
    if (r.src() == null) {
      return "src";
    }
    if (r.dst() == null) {
      return "dst";
    }
    if (r.firstSeen() == null) {
      return "firstSeen";
    }
    if (r.lastSeen() == null) {
      return "lastSeen";
    }
    if (r.srcToDst() == null) {
      return "srcToDst";
    }
    return r.dstToSrc() == null ? "dstToSrc" : null;
  }
}
