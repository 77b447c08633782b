package io.migaudit.analyzer.rules;

import io.migaudit.record.Counters;
import io.migaudit.record.FlowRecord;
import java.time.Duration;

/**
 * Whether a flow without a migration port or signature shows the traffic shape of a memory copy
 * (docs/DESIGN.md, "Rules"): a bulk of payload flowing one way, many times what comes back. A live
 * migration's sender opens the connection and pushes the VM's memory (vMotion, QEMU, Hyper-V, an
 * {@code ssh -L} from the source, {@code xl migrate} over SSH), so for TCP the bulk must flow from
 * the initiator; an HTTPS API call moves a small request one way and its answer the other, and a
 * download moves its bulk towards the initiator: neither is a copy. ESP has no handshake to name an
 * initiator, so either direction may carry the bulk.
 *
 * <p>The thresholds are low on purpose (a migration is gigabytes; a capture trimmed to its start
 * still shows tens of KiB one way), and a flow that has not reached them is {@link
 * FlowKind#UNDECIDED} for up to {@link #UNDECIDED_FOR} rather than judged early.
 */
final class CopyEvidence {
  /** Payload bytes the bulk direction must carry: 64 KiB, sixteen 4 KiB guest pages. */
  static final long MIN_BULK_PAYLOAD_BYTES = 64 * 1024;

  /** The bulk direction carries at least this many times the payload of the other. */
  static final long MIN_BULK_RATIO = 8;

  /** How long a flow that may still turn out a copy waits for its evidence before it is judged. */
  static final Duration UNDECIDED_FOR = Duration.ofSeconds(60);

  private CopyEvidence() {}

  /** True when the record shows a memory copy; {@code eitherWay} for flows without an initiator. */
  static boolean shows(FlowRecord r, boolean eitherWay) {
    return bulk(r.srcToDst(), r.dstToSrc()) || (eitherWay && bulk(r.dstToSrc(), r.srcToDst()));
  }

  /** True while a flow short of evidence may still reach it: not ended, and young. */
  static boolean mayStillShow(FlowRecord r) {
    if (r.last() || r.firstSeen() == null || r.lastSeen() == null) {
      return false;
    }
    return Duration.between(r.firstSeen(), r.lastSeen()).compareTo(UNDECIDED_FOR) < 0;
  }

  private static boolean bulk(Counters sent, Counters back) {
    long out = sent == null ? 0 : sent.payloadBytes();
    long in = back == null ? 0 : back.payloadBytes();
    return out >= MIN_BULK_PAYLOAD_BYTES && out >= MIN_BULK_RATIO * in;
  }
}
