package io.migaudit.analyzer.rules;

import io.migaudit.record.Counters;
import io.migaudit.record.FlowRecord;
import java.time.Duration;

/**
 * Whether a flow without a migration port or signature shows the traffic shape of a memory copy
 * (docs/DESIGN.md, "Rules"): a bulk of payload flowing one way, many times what comes back. A live
 * migration's sender opens the connection and pushes the VM's memory (vMotion, QEMU, Hyper-V, an
 * {@code ssh -L} from the source, {@code xl migrate} over SSH), so for TCP the bulk flows from the
 * initiator; an HTTPS API call moves a small request one way and its answer the other, and a
 * download moves its bulk towards the initiator: neither is a copy, unless what comes back is as
 * large as a VM's memory ({@link #MIN_PULLED_PAYLOAD_BYTES}). ESP has no handshake to name an
 * initiator, so either direction may carry the bulk.
 *
 * <p>The thresholds are low on purpose (a migration is gigabytes; a capture trimmed to its start
 * still shows tens of KiB one way), and a flow that has not reached them is {@link
 * FlowKind#UNDECIDED} for up to {@link #UNDECIDED_FOR} rather than judged early.
 */
public final class CopyEvidence {
  /** Payload bytes the bulk direction must carry: 64 KiB, sixteen 4 KiB guest pages. */
  static final long MIN_BULK_PAYLOAD_BYTES = 64 * 1024;

  /** The bulk direction carries at least this many times the payload of the other. */
  static final long MIN_BULK_RATIO = 8;

  /**
   * Payload bytes a bulk towards the initiator must carry to be a copy: 64 MiB, more than an API
   * answer or a log download between hypervisors, less than any VM's memory.
   */
  static final long MIN_PULLED_PAYLOAD_BYTES = 64L << 20;

  /** How long a flow that may still turn out a copy waits for its evidence before it is judged. */
  static final Duration UNDECIDED_FOR = Duration.ofSeconds(60);

  private CopyEvidence() {}

  /**
   * True when the record shows a memory copy; {@code eitherWay} for flows without an initiator. A
   * TCP bulk towards the initiator counts only past {@link #MIN_PULLED_PAYLOAD_BYTES}: a
   * destination that dials its source and has the memory sent back ({@code -incoming exec:nc SOURCE
   * PORT}) must not take a migration out of every rule, and an HTTPS answer of a few MiB is no
   * migration.
   */
  static boolean shows(FlowRecord r, boolean eitherWay) {
    return bulk(r.srcToDst(), r.dstToSrc())
        || (pulled(r) && (eitherWay || payload(r.dstToSrc()) >= MIN_PULLED_PAYLOAD_BYTES));
  }

  /**
   * True when the bulk flows to the initiator, not from it: the host that accepted the connection
   * sends the memory (a migration "pulled" through a connection its destination opened, as {@code
   * -incoming exec:nc SOURCE PORT} does), so the migration goes from the flow's destination to its
   * source.
   */
  public static boolean pulled(FlowRecord r) {
    return bulk(r.dstToSrc(), r.srcToDst());
  }

  /** True while a flow short of evidence may still reach it: not ended, and young. */
  static boolean mayStillShow(FlowRecord r) {
    if (r.last() || r.firstSeen() == null || r.lastSeen() == null) {
      return false;
    }
    return Duration.between(r.firstSeen(), r.lastSeen()).compareTo(UNDECIDED_FOR) < 0;
  }

  private static boolean bulk(Counters sent, Counters back) {
    return oneWay(payload(sent), payload(back));
  }

  /**
   * True when {@code sent} payload bytes against {@code back} are a bulk one way: at least {@link
   * #MIN_BULK_PAYLOAD_BYTES}, and {@link #MIN_BULK_RATIO} times what came back.
   */
  public static boolean oneWay(long sent, long back) {
    return sent >= MIN_BULK_PAYLOAD_BYTES && sent >= MIN_BULK_RATIO * back;
  }

  private static long payload(Counters c) {
    return c == null ? 0 : c.payloadBytes();
  }
}
