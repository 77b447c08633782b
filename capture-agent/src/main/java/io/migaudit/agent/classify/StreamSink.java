package io.migaudit.agent.classify;

import java.nio.ByteBuffer;

/**
 * Receives one direction of a connection in stream order: the TCP stream tracker ({@code
 * flow.TcpStream}) calls it with the bytes of each accepted segment at their offset from the
 * initial sequence number, never with a segment the receiver would drop (out of window), twice with
 * the same bytes (retransmissions, duplicates) or spliced across bytes it did not see (it reports a
 * gap instead). Bytes it does not take (in window at positions the stream already passed, or in
 * segments outside the window) go to {@link #behind}, apart from the stream. {@link PayloadSample}
 * is the sink the flow table feeds; a parser that needs the stream (a framing follower, a handshake
 * reader) implements this and is fed by the sample the same way as {@link TlsRecordFollower} and
 * {@link SshPacketFollower} are.
 */
public interface StreamSink {
  /** Sentinel for {@link #gap}: the stream resynchronised and the bytes missed are unknown. */
  long UNKNOWN_GAP = -1;

  /**
   * {@code length} bytes of {@code frame} from absolute {@code offset} lie at {@code streamOffset}
   * of the direction (0 = the byte after the SYN, or the first byte seen of a stream picked up
   * mid-way); each call continues where the previous call or gap ended.
   */
  void bytes(long streamOffset, ByteBuffer frame, int offset, int length);

  /**
   * {@code missingBytes} bytes from {@code streamOffset} were not seen (capture loss, a segment cut
   * by the snap length, a packet outside the capture), or {@link #UNKNOWN_GAP} when the tracker had
   * to find the stream again: whatever framing a parser followed, it must not splice across.
   */
  void gap(long streamOffset, long missingBytes);

  /**
   * A segment the capture cut at its snap length: its first {@code captured} bytes (possibly none)
   * lie at {@code streamOffset}, and the {@code missingBytes} after them were on the wire but not
   * in the capture. A sink that samples bytes may treat such a segment apart (its first bytes are a
   * message's header more often than chance, see {@link PayloadSample}); by default it is the
   * captured bytes, then a gap.
   */
  default void cut(
      long streamOffset, ByteBuffer frame, int offset, int captured, long missingBytes) {
    if (captured > 0) {
      bytes(streamOffset, frame, offset, captured);
    }
    gap(streamOffset + captured, missingBytes);
  }

  /**
   * {@code length} bytes of {@code frame} from absolute {@code offset} that the stream did not
   * take: they arrived in window at {@code streamOffset}, a position the stream had already passed
   * (a retransmission, the overlapping start of a segment, a segment late for a gap the tracker
   * skipped), or in a segment outside the window, which has no place the tracker trusts and comes
   * at the stream's position then, or at the direction's payload on the wire so far if that is
   * more. In an honest connection they are copies of what the stream carried, or bytes of it the
   * tracker could not place; when forged segments came first or led the tracker away (the receiver
   * dropped them, the tracker took them), they are what the receiver kept. {@code cut} when the
   * capture cut their segment at its snap length. Never part of the stream: by default ignored.
   */
  default void behind(long streamOffset, ByteBuffer frame, int offset, int length, boolean cut) {}
}
