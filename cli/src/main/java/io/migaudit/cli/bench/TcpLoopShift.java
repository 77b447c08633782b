package io.migaudit.cli.bench;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.source.CapturedPacket;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Sequence numbers for payload segments sent again, as a migration that goes on would number them:
 * round {@code k} of a direction's segments carries them {@code k} times the direction's span
 * further on (acknowledgments likewise, by the other direction's span). Segments sent again with
 * their old numbers are retransmissions to the agent's stream tracker, which leaves them out of the
 * payload sample: the sample would never fill and the flow's early record (see FlowTable) never
 * come. The TCP checksum is left as it was (the agent does not check it).
 */
final class TcpLoopShift {
  private static final int TCP = 6;
  private static final int SEQ = 4;
  private static final int ACK = 8;
  private static final int DATA_OFFSET = 12;
  private static final int MIN_HEADER = 20;
  private static final int MAX_HEADER = 60;

  /** Where one segment's TCP header lies and how far each round moves its numbers. */
  private record Segment(int header, int seqSpan, int ackSpan) {}

  private final Segment[] segments;

  private TcpLoopShift(Segment[] segments) {
    this.segments = segments;
  }

  /** The shifts of {@code frames}, each decoded into {@code decoded} (same order). */
  static TcpLoopShift of(CapturedPacket[] frames, DecodedPacket[] decoded) {
    Map<String, long[]> ranges = new HashMap<>(); // direction -> first seq, furthest end
    for (DecodedPacket d : decoded) {
      if (d.ipProtocol == TCP) {
        long[] r = ranges.computeIfAbsent(direction(d, false), k -> new long[] {d.tcpSeq, 0});
        long end = (d.tcpSeq - (int) r[0]) + (long) d.payloadWireLength;
        r[1] = Math.max(r[1], end);
      }
    }
    Segment[] segments = new Segment[frames.length];
    for (int i = 0; i < frames.length; i++) {
      DecodedPacket d = decoded[i];
      int header = d.ipProtocol == TCP ? header(frames[i].data, d) : -1;
      long[] own = ranges.get(direction(d, false));
      long[] peer = ranges.get(direction(d, true));
      segments[i] =
          new Segment(header, own == null ? 0 : (int) own[1], peer == null ? 0 : (int) peer[1]);
    }
    return new TcpLoopShift(segments);
  }

  /**
   * A copy of segment {@code i}'s frame numbered for round {@code round} (1 for the first repeat);
   * the frame itself when it is not TCP.
   */
  ByteBuffer shifted(int i, ByteBuffer frame, long round) {
    Segment s = segments[i];
    if (s.header() < 0) {
      return frame.duplicate().clear();
    }
    byte[] copy = new byte[frame.limit()];
    frame.get(0, copy);
    ByteBuffer out = ByteBuffer.wrap(copy);
    int at = s.header();
    out.putInt(at + SEQ, out.getInt(at + SEQ) + (int) (round * s.seqSpan()));
    out.putInt(at + ACK, out.getInt(at + ACK) + (int) (round * s.ackSpan()));
    return out;
  }

  private static String direction(DecodedPacket d, boolean reverse) {
    String a = d.srcHi + ":" + d.srcLo + ":" + d.srcPort;
    String b = d.dstHi + ":" + d.dstLo + ":" + d.dstPort;
    return reverse ? b + ">" + a : a + ">" + b;
  }

  /** The TCP header's offset: the one before the payload whose ports and sequence match. */
  private static int header(ByteBuffer frame, DecodedPacket d) {
    for (int len = MIN_HEADER; len <= MAX_HEADER; len += 4) {
      int at = d.payloadOffset - len;
      if (at >= 0
          && ((frame.get(at + DATA_OFFSET) >> 4) & 0xF) * 4 == len
          && Short.toUnsignedInt(frame.getShort(at)) == d.srcPort
          && Short.toUnsignedInt(frame.getShort(at + 2)) == d.dstPort
          && frame.getInt(at + SEQ) == d.tcpSeq) {
        return at;
      }
    }
    return -1;
  }
}
