package io.migaudit.cli.classify;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.Verdict;
import java.time.Duration;
import java.util.List;

/**
 * How one flow's verdict developed over its records: the final verdict, and how much payload and
 * capture time the classifier needed before its verdict stopped changing.
 *
 * @param last the flow's final record
 * @param payloadBytesToVerdict payload bytes (both directions) seen when the verdict became final
 * @param millisToVerdict capture time from the first packet to that moment
 */
record VerdictTimeline(FlowRecord last, long payloadBytesToVerdict, double millisToVerdict) {

  /** From a flow's records in order; the last one must be the final record. */
  static VerdictTimeline of(List<FlowRecord> records) {
    FlowRecord last = records.get(records.size() - 1);
    Verdict settled = last.payload().verdict();
    int from = records.size() - 1;
    while (from > 0 && records.get(from - 1).payload().verdict() == settled) {
      from--;
    }
    FlowRecord first = records.get(from);
    long bytes = first.srcToDst().payloadBytes() + first.dstToSrc().payloadBytes();
    double ms = Duration.between(last.firstSeen(), first.lastSeen()).toNanos() / 1e6;
    return new VerdictTimeline(last, bytes, ms);
  }
}
