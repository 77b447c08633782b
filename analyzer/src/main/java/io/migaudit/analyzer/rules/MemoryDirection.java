package io.migaudit.analyzer.rules;

import io.migaudit.record.FlowRecord;

/**
 * Which end of a migration flow sends the VM's memory and which receives it. The host that opened
 * the connection sends it, unless the bulk flows the other way ({@link CopyEvidence#pulled}): a
 * destination that dials its source and has the memory sent back ({@code -incoming exec:nc SOURCE
 * PORT}) is the receiver, however it dialled. Until a bulk has flowed one way the roles are those
 * of the connection.
 *
 * @param sender the host the memory leaves
 * @param receiver the host the memory goes to
 * @param pulled true when the receiver opened the connection
 */
record MemoryDirection(String sender, String receiver, boolean pulled) {

  static MemoryDirection of(FlowRecord r) {
    return CopyEvidence.pulled(r)
        ? new MemoryDirection(r.dst(), r.src(), true)
        : new MemoryDirection(r.src(), r.dst(), false);
  }

  /** {@code initiator} or {@code responder}: the evidence's {@code memorySentBy}. */
  String sentBy() {
    return pulled ? "responder" : "initiator";
  }
}
