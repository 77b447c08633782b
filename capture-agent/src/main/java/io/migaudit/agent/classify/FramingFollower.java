package io.migaudit.agent.classify;

import io.migaudit.record.Signature;

/**
 * Follows a protocol's framing through one direction's stream (fed by {@link PayloadSample} in
 * stream order) and judges the bytes the framing covers. One per direction, made when the stream's
 * first bytes look like the protocol (or, mid-stream, when its framing is found); memory is
 * bounded.
 */
interface FramingFollower extends StreamSink {
  /** The signature whose claim this follower checks. */
  Signature signature();

  /**
   * True when the direction carries this protocol's framing (found at its start or resynchronised).
   */
  boolean recognised();

  /** Whether the framing held and its encrypted bytes look encrypted, so far. */
  FramingCheck check();
}
