package io.migaudit.record;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the capture agent followed a TCP flow's byte streams by sequence number, when there is
 * something to say: the flow was first seen mid-stream (no SYN: its first bytes are not its start,
 * so it was judged on content and framing alone), or segments were ignored, missing or cut short.
 * Absent from records of TCP flows followed from their SYNs without loss, retransmission or cut,
 * and from UDP flows unless the capture cut their datagrams (then only {@code cutSegments} is set).
 *
 * @param midStream true when a direction that carried payload was picked up mid-way (no SYN seen),
 *     or had to be found again after losing its place
 * @param outOfWindowSegments segments ignored because they lay outside the receiver's window (the
 *     receiver drops them too; forged segments land here)
 * @param retransmittedSegments segments whose bytes were all seen before (retransmissions,
 *     duplicates)
 * @param gapBytes stream bytes never seen before a segment that was seen (capture loss), left as
 *     gaps in the sample
 * @param cutSegments segments (or UDP datagrams) the capture cut at its snap length (a short {@code
 *     -s}, a mirror session's packet length): their payload is seen only in part, so what framing
 *     and statistics can say of the flow is limited; 0 in records of agents before it was counted
 * @param continues the flow id of the first flow of the connection this flow goes on, or null (and
 *     left out): set when the connection's data went on in sequence after a RST or FIN that ended
 *     an earlier flow on the same addresses and ports (and after any SYN that opened another), a
 *     close the hosts did not honour; the flow is judged with everything the connection carried,
 *     and the analyzer raises the connection's alerts once, under this id
 */
public record StreamEvidence(
    boolean midStream,
    long outOfWindowSegments,
    long retransmittedSegments,
    long gapBytes,
    long cutSegments,
    @JsonInclude(JsonInclude.Include.NON_NULL) String continues) {

  /** The evidence of a flow that goes on no earlier one. */
  public StreamEvidence(
      boolean midStream,
      long outOfWindowSegments,
      long retransmittedSegments,
      long gapBytes,
      long cutSegments) {
    this(midStream, outOfWindowSegments, retransmittedSegments, gapBytes, cutSegments, null);
  }

  /**
   * Read from JSON: {@code cutSegments} is absent from the records of agents before it (0), {@code
   * continues} from those before it and of flows that go on no earlier one.
   */
  @JsonCreator
  static StreamEvidence fromJson(
      @JsonProperty("midStream") boolean midStream,
      @JsonProperty("outOfWindowSegments") long outOfWindowSegments,
      @JsonProperty("retransmittedSegments") long retransmittedSegments,
      @JsonProperty("gapBytes") long gapBytes,
      @JsonProperty("cutSegments") Long cutSegments,
      @JsonProperty("continues") String continues) {
    return new StreamEvidence(
        midStream,
        outOfWindowSegments,
        retransmittedSegments,
        gapBytes,
        cutSegments == null ? 0 : cutSegments,
        continues);
  }

  /** This evidence of a flow that goes on the connection whose first flow is {@code flowId}. */
  public StreamEvidence continuing(String flowId) {
    return new StreamEvidence(
        midStream, outOfWindowSegments, retransmittedSegments, gapBytes, cutSegments, flowId);
  }

  /** True when there is nothing to report: the field is then left out of the record. */
  public boolean unremarkable() {
    return !midStream
        && outOfWindowSegments == 0
        && retransmittedSegments == 0
        && gapBytes == 0
        && cutSegments == 0
        && continues == null;
  }
}
