package io.migaudit.cli.classify;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.StreamEvidence;
import java.util.ArrayList;
import java.util.List;

/**
 * The conditions of capture and evidence a flow was judged under, as its final record shows them:
 * what {@code classify-report} breaks its accuracy down by (issue 12: forged segments, late starts,
 * one mirror direction, loss, framing that claims encryption over readable bytes; retransmissions,
 * verdicts that came from the bytes a stream did not take, and flows that went on a connection
 * after a RST or FIN the hosts did not honour).
 */
enum StreamCondition {
  CLEAN("from the start"),
  MID_STREAM("picked up mid-stream"),
  OUT_OF_WINDOW("segments out of window ignored"),
  GAPS("bytes missing"),
  CUT("segments cut by the snap length"),
  ONE_DIRECTION("one direction only"),
  FRAMING_DISAGREED("framing claims disagreed with content"),
  RETRANSMITTED("segments retransmitted or sent twice"),
  NOT_TAKEN_JUDGED("judged on bytes the stream did not take"),
  CONTINUED("went on after a close not honoured");

  private final String label;

  StreamCondition(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  /** The conditions of a flow's final record; {@link #CLEAN} alone when there is none. */
  static List<StreamCondition> of(FlowRecord r) {
    List<StreamCondition> out = new ArrayList<>();
    StreamEvidence s = r.stream();
    if (s != null && s.midStream()) {
      out.add(MID_STREAM);
    }
    if (s != null && s.outOfWindowSegments() > 0) {
      out.add(OUT_OF_WINDOW);
    }
    if (s != null && s.gapBytes() > 0) {
      out.add(GAPS);
    }
    if (s != null && s.cutSegments() > 0) {
      out.add(CUT);
    }
    if (r.dstToSrc() != null
        && r.dstToSrc().packets() == 0
        && r.srcToDst() != null
        && r.srcToDst().packets() > 0) {
      out.add(ONE_DIRECTION);
    }
    if (r.payload() != null
        && r.payload().reason() != null
        && r.payload().reason().contains("framing claims encryption but")) {
      out.add(FRAMING_DISAGREED);
    }
    if (s != null && s.retransmittedSegments() > 0) {
      out.add(RETRANSMITTED);
    }
    if (r.payload() != null
        && r.payload().reason() != null
        && r.payload().reason().startsWith("bytes the stream did not take")) {
      out.add(NOT_TAKEN_JUDGED);
    }
    if (s != null && s.continues() != null) {
      out.add(CONTINUED);
    }
    if (out.isEmpty()) {
      out.add(CLEAN);
    }
    return out;
  }
}
