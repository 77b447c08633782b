package io.migaudit.record;

/**
 * How the capture agent followed a TCP flow's byte streams by sequence number, when there is
 * something to say: the flow was first seen mid-stream (no SYN: its first bytes are not its start,
 * so it was judged on content and framing alone), or segments were ignored or missing. Absent from
 * records of UDP/ESP flows and of TCP flows followed from their SYNs without loss or
 * retransmission.
 *
 * @param midStream true when a direction that carried payload was picked up mid-way (no SYN seen),
 *     or had to be found again after losing its place
 * @param outOfWindowSegments segments ignored because they lay outside the receiver's window (the
 *     receiver drops them too; forged segments land here)
 * @param retransmittedSegments segments whose bytes were all seen before (retransmissions,
 *     duplicates)
 * @param gapBytes stream bytes never seen (capture loss, snap length), left as gaps in the sample
 */
public record StreamEvidence(
    boolean midStream, long outOfWindowSegments, long retransmittedSegments, long gapBytes) {

  /** True when there is nothing to report: the field is then left out of the record. */
  public boolean unremarkable() {
    return !midStream && outOfWindowSegments == 0 && retransmittedSegments == 0 && gapBytes == 0;
  }
}
