package io.migaudit.agent.flow;

import io.migaudit.agent.classify.StreamSink;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.record.StreamEvidence;

/**
 * One direction of a TCP connection followed by sequence number (RFC 9293 3.4, 3.10.7.4), so that
 * its payload sample holds what the receiver took, in stream order: from the initial sequence
 * number on (or from the first segment seen, for a stream picked up mid-way); segments wholly
 * before the next expected byte (retransmissions, duplicates) and segments outside the receiver's
 * window are ignored; bytes not seen are reported as a gap, never spliced over; an overlapping
 * segment gives only its new bytes; bytes that arrive in window behind the next expected byte, and
 * those of segments outside the window, go to the sink apart ({@link StreamSink#behind}). The
 * checksum is never consulted: captures on the sending host carry unfinished ones (offload), so it
 * cannot tell a forged segment from a real one; the window can.
 *
 * <p>The window is the receiver's last acknowledgment plus its advertised window (scaled per RFC
 * 7323), never less than {@link #MIN_WINDOW_BYTES} past the next expected byte, so a forged ACK can
 * widen what is accepted but never blind the tracker; an ACK of more than the largest window past
 * the next expected byte widens nothing (no receiver sends one). A stream that lost its place
 * (capture loss longer than the window, or a stream picked up at a forged segment) finds it again
 * after {@link #RUN_TO_RESYNC} contiguous segments outside the window. Exists only for TCP flows
 * that carried payload: 64 bytes per direction.
 */
final class TcpStream {
  /**
   * Accepted past the next expected byte whatever the receiver advertised (a forged ACK cannot
   * narrow it).
   */
  static final int MIN_WINDOW_BYTES = 4 << 20;

  /** A SYN without the window scale option: its windows are not scaled (RFC 7323 2.2). */
  static final int SCALE_NOT_OFFERED = 15;

  /** This direction's SYN was not seen: how its windows scale is unknown. */
  static final int SYN_NOT_SEEN = -1;

  /** Assumed reach of a window whose scale is unknown. */
  private static final long UNKNOWN_SCALE_WINDOW_BYTES = 16 << 20;

  /** Largest window RFC 7323 allows: 65535 << 14. */
  private static final long MAX_WINDOW_BYTES = 65535L << 14;

  /** Contiguous out-of-window segments after which the tracker takes them as the stream. */
  static final int RUN_TO_RESYNC = 4;

  private int next;
  private long nextOffset;
  private boolean anchored;
  private boolean midStream;

  /** What this direction acknowledges and advertises about its peer's stream. */
  private int ackSent;

  private boolean hasAck;
  private char windowSent;

  /** This direction's SYN window scale, {@link #SCALE_NOT_OFFERED} or {@link #SYN_NOT_SEEN}. */
  private final byte windowScale;

  /** The other direction of the connection. */
  TcpStream peer;

  private int runEnd;
  private byte runLength;
  int outOfWindowSegments;
  int retransmittedSegments;
  long gapBytes;

  /** Segments whose payload the capture cut at its snap length. */
  int cutSegments;

  /**
   * A direction whose initial sequence number came with its SYN ({@code isnKnown}), or one still to
   * be anchored; {@code windowScale} as its SYN offered it, {@link #SCALE_NOT_OFFERED} or {@link
   * #SYN_NOT_SEEN}.
   */
  TcpStream(boolean isnKnown, int isn, int windowScale) {
    if (isnKnown) {
      anchored = true;
      next = isn + 1;
    }
    this.windowScale = (byte) windowScale;
  }

  /**
   * Takes one segment of this direction: records its acknowledgment and window (about the peer),
   * and hands its accepted payload to {@code sink} (null while the direction carried no payload).
   * {@code wireBefore}: the payload bytes the direction carried on the wire before it. Returns
   * false when the segment lies outside the receiver's window: its flags must not count.
   */
  boolean segment(DecodedPacket p, TcpStream receiver, StreamSink sink, long wireBefore) {
    if ((p.tcpFlags & TcpFlagNames.ACK) != 0) {
      ackSent = p.tcpAck;
      windowSent = (char) p.tcpWindow;
      hasAck = true;
    }
    int seq = p.tcpSeq;
    int length = p.payloadWireLength;
    if ((p.tcpFlags & TcpFlagNames.SYN) != 0) {
      if (!anchored) {
        anchored = true;
        next = seq + 1;
      }
      if (length == 0) {
        return true;
      }
      seq++; // data on a SYN (TCP Fast Open) starts after it
    }
    if (!anchored) {
      if (length
          == 0) { // no anchor from a bare ACK, FIN or RST: judge it by what the peer acknowledged
        return !receiver.hasAck || Math.abs(seq - receiver.ackSent) <= MIN_WINDOW_BYTES;
      }
      anchorMidStream(seq, receiver);
    }
    int rel = seq - next;
    long ahead = allowedAhead(receiver);
    if (length == 0) {
      return rel >= -ahead && rel <= ahead; // a bare ACK, FIN or RST: in window or not
    }
    int landing = land(rel, length, ahead);
    if (landing == LANDS_OUTSIDE) {
      return outOfWindow(p, seq, length, sink, wireBefore);
    }
    if (landing == LANDS_BEHIND) {
      retransmittedSegments++;
      behind(p, nextOffset + rel, 0, length, sink);
      return true;
    }
    runLength = 0;
    deliver(p, rel, length, sink);
    return true;
  }

  /**
   * True when {@code p} carries payload that starts at or past this direction's next expected byte,
   * within {@link #MIN_WINDOW_BYTES}: new data, not a retransmission.
   */
  boolean continuedBy(DecodedPacket p) {
    int rel = start(p) - next;
    return anchored && p.payloadWireLength > 0 && rel >= 0 && rel <= MIN_WINDOW_BYTES;
  }

  /**
   * {@link #landing}: bytes past the next expected one, in window (or the direction unanchored).
   */
  static final int LANDS_NEW = 0;

  /** {@link #landing}: in window, every byte before the next expected one (sent again). */
  static final int LANDS_BEHIND = 1;

  /** {@link #landing}: outside the receiver's window. */
  static final int LANDS_OUTSIDE = 2;

  /**
   * Where the payload segment {@code p} would land in this direction: {@link #LANDS_NEW}, {@link
   * #LANDS_BEHIND} or {@link #LANDS_OUTSIDE}. Changes nothing; {@link #segment} decides by the same
   * {@link #land}.
   */
  int landing(DecodedPacket p, TcpStream receiver) {
    if (!anchored) {
      return LANDS_NEW; // it would anchor the direction
    }
    return land(start(p) - next, p.payloadWireLength, allowedAhead(receiver));
  }

  /**
   * Where {@code length} payload bytes starting {@code rel} past the next expected byte land, with
   * the window reaching {@code ahead} either way: wholly before the next byte (sent again) or
   * outside the window. A segment that ends past the next byte starts within one segment of it,
   * never more than the window behind.
   */
  private static int land(int rel, int length, long ahead) {
    if (rel < -ahead || rel > ahead) {
      return LANDS_OUTSIDE;
    }
    return (long) rel + length <= 0 ? LANDS_BEHIND : LANDS_NEW;
  }

  /** True when the payload segment {@code p} starts exactly at this direction's next byte. */
  boolean startsAtNext(DecodedPacket p) {
    return anchored && p.payloadWireLength > 0 && start(p) == next;
  }

  /**
   * True when the SYN {@code p} would put its first byte exactly at this direction's next byte: its
   * initial sequence number is the one just before it.
   */
  boolean resumedBySyn(DecodedPacket p) {
    return anchored && (p.tcpFlags & TcpFlagNames.SYN) != 0 && start(p) == next;
  }

  /** The sequence number of {@code p}'s first payload byte (past its SYN, if it carries one). */
  private static int start(DecodedPacket p) {
    return p.tcpSeq + ((p.tcpFlags & TcpFlagNames.SYN) != 0 ? 1 : 0);
  }

  /** True when this segment will start the direction mid-way (no SYN seen, no anchor yet). */
  boolean startsMidStream(DecodedPacket p) {
    return !anchored && (p.tcpFlags & TcpFlagNames.SYN) == 0;
  }

  /** Picks up a stream first seen mid-way: at what the peer acknowledged, else at this segment. */
  private void anchorMidStream(int seq, TcpStream receiver) {
    anchored = true;
    midStream = true;
    next =
        receiver.hasAck && Math.abs(seq - receiver.ackSent) <= MIN_WINDOW_BYTES
            ? receiver.ackSent
            : seq;
  }

  private void deliver(DecodedPacket p, int rel, int length, StreamSink sink) {
    int skip = 0;
    if (rel > 0) {
      gapBytes += rel;
      if (sink != null) {
        sink.gap(nextOffset, rel);
      }
      nextOffset += rel;
      next += rel;
    } else if (rel < 0) {
      skip = -rel; // an overlapping segment: its first bytes were taken already
      behind(p, nextOffset - skip, 0, skip, sink);
    }
    int newBytes = length - skip;
    int take = Math.min(Math.max(0, p.payloadCapturedLength - skip), newBytes);
    if (take < newBytes) {
      cutSegments++; // cut by the snap length: the rest was not seen and is never spliced over
      if (sink != null) {
        sink.cut(nextOffset, p.frame, p.payloadOffset + skip, take, newBytes - take);
      }
    } else if (sink != null && take > 0) {
      sink.bytes(nextOffset, p.frame, p.payloadOffset + skip, take);
    }
    nextOffset += newBytes;
    next += newBytes;
  }

  /**
   * Hands the captured part of the segment's payload bytes {@code [from, from + length)}, which lie
   * behind the next expected byte at {@code streamOffset}, to the sink apart from the stream.
   */
  private static void behind(
      DecodedPacket p, long streamOffset, int from, int length, StreamSink sink) {
    int captured = Math.min(length, p.payloadCapturedLength - from);
    if (sink != null && captured > 0) {
      sink.behind(
          streamOffset,
          p.frame,
          p.payloadOffset + from,
          captured,
          p.payloadCapturedLength < p.payloadWireLength);
    }
  }

  /**
   * A segment outside the window: ignored, unless it continues a run long enough to be the stream.
   */
  private boolean outOfWindow(
      DecodedPacket p, int seq, int length, StreamSink sink, long wireBefore) {
    runLength = (byte) (runLength > 0 && seq == runEnd ? runLength + 1 : 1);
    runEnd = seq + length;
    if (runLength < RUN_TO_RESYNC) {
      outOfWindowSegments++;
      // no place the tracker trusts: it counts where the stream, or the wire, had got to, so that
      // neither a forged stream the tracker follows nor forged out-of-window bytes keep it early
      behind(p, Math.max(nextOffset, wireBefore), 0, length, sink);
      return false;
    }
    runLength = 0;
    next = seq; // the stream moved on without us (loss longer than the window, or a forged start)
    midStream = true;
    if (sink != null) {
      sink.gap(nextOffset, StreamSink.UNKNOWN_GAP);
    }
    deliver(p, 0, length, sink);
    return true;
  }

  /**
   * How far past the next expected byte a segment may start: the receiver's window, at least the
   * minimum.
   */
  private long allowedAhead(TcpStream receiver) {
    if (!receiver.hasAck) {
      return MIN_WINDOW_BYTES;
    }
    long window;
    if (receiver.windowScale == SYN_NOT_SEEN || windowScale == SYN_NOT_SEEN) {
      window = receiver.windowSent == 0 ? 0 : UNKNOWN_SCALE_WINDOW_BYTES;
    } else if (receiver.windowScale == SCALE_NOT_OFFERED || windowScale == SCALE_NOT_OFFERED) {
      window = receiver.windowSent; // scaling is in effect only when both SYNs offered it
    } else {
      window = (long) receiver.windowSent << receiver.windowScale;
    }
    long acked = receiver.ackSent - next;
    if (acked > MAX_WINDOW_BYTES) {
      // acknowledges more than the largest window beyond what the tracker has: no receiver sends
      // that (capture loss hides at most a window), so it widens nothing (a forged ACK 2 GiB ahead
      // would put every sequence number in the window)
      acked = 0;
    }
    long right = acked + Math.min(window, MAX_WINDOW_BYTES);
    return Math.max(MIN_WINDOW_BYTES, right);
  }

  /**
   * The two directions of a connection, anchored at the SYNs' initial sequence numbers where they
   * are known: {@code synScales} holds a byte per direction (initiator low; 0 = SYN not seen, else
   * window scale code + 1), {@code isns} the initiator's ISN high and the responder's low, valid
   * only when {@code isnsValid}. Returns the initiator's direction; its {@link #peer} is the other.
   */
  static TcpStream pair(short synScales, long isns, boolean isnsValid) {
    TcpStream initiator = of(synScales & 0xFF, (int) (isns >>> 32), isnsValid);
    TcpStream responder = of((synScales >>> 8) & 0xFF, (int) isns, isnsValid);
    initiator.peer = responder;
    responder.peer = initiator;
    return initiator;
  }

  private static TcpStream of(int code, int isn, boolean isnValid) {
    return new TcpStream(code != 0 && isnValid, isn, code == 0 ? SYN_NOT_SEEN : code - 1);
  }

  /**
   * What following this direction and its peer showed; {@code samplesMidStream} from the payload
   * samples.
   */
  StreamEvidence evidence(boolean samplesMidStream) {
    return new StreamEvidence(
        samplesMidStream || midStream || peer.midStream,
        (long) outOfWindowSegments + peer.outOfWindowSegments,
        (long) retransmittedSegments + peer.retransmittedSegments,
        gapBytes + peer.gapBytes,
        (long) cutSegments + peer.cutSegments);
  }

  /** Payload bytes this direction took in sequence (the gaps it skipped not counted). */
  long bytesTaken() {
    return nextOffset - gapBytes;
  }

  boolean midStream() {
    return midStream;
  }

  boolean anchored() {
    return anchored;
  }
}
