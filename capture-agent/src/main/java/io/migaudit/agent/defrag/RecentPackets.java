package io.migaudit.agent.defrag;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The packets put back together in the last {@link #WINDOW_MICROS} of packet time, so that a piece
 * of one that comes after it was whole is known for what it is: a copy (a mirror that sends each
 * frame twice, ingress and egress), taken once; or a piece with other bytes (the receiver took the
 * first copy and a sensor must not take the second quietly), a conflict. A piece that comes later
 * starts a packet of its own: an IPv4 sender reuses an identification after 65,536 packets to a
 * host, which a host pair fragmenting at several Gbit/s reaches within a second (RFC 4963), so the
 * window stays short. Bounded by {@link #MAX_BYTES} of frames, the oldest forgotten first.
 */
final class RecentPackets {
  /** How long a whole packet is remembered: mirror copies come within microseconds. */
  static final long WINDOW_MICROS = 100_000;

  /** Frames of whole packets remembered at most. */
  static final long MAX_BYTES = 4L << 20;

  /** What a piece is to the packets remembered. */
  enum Match {
    /** Of no packet remembered. */
    NONE,
    /** The same bytes as the packet it belongs to holds there. */
    COPY,
    /** Other bytes, or past the packet's end. */
    DISAGREES
  }

  /** A whole packet's frame, its data from {@code dataAt} to {@code dataAt + end}. */
  private record Whole(long micros, byte[] frame, int dataAt, int end) {}

  private final Map<Fragment.Key, Whole> recent = new LinkedHashMap<>();
  private long bytes;

  /** Remembers the packet of {@code key} put back together at {@code micros}. */
  void remember(Fragment.Key key, long micros, byte[] frame, int dataAt, int end) {
    Whole old = recent.remove(key);
    if (old != null) {
      bytes -= old.frame.length;
    }
    recent.put(key, new Whole(micros, frame, dataAt, end));
    bytes += frame.length;
    Iterator<Whole> it = recent.values().iterator();
    while (bytes > MAX_BYTES && it.hasNext()) {
      bytes -= it.next().frame.length;
      it.remove();
    }
  }

  /** What {@code piece}, in {@code frame}, at {@code micros}, is to the packets remembered. */
  Match match(Fragment piece, ByteBuffer frame, long micros) {
    forget(micros);
    Whole w = recent.isEmpty() ? null : recent.get(piece.key());
    if (w == null) {
      return Match.NONE;
    }
    if (piece.end() > w.end) {
      return Match.DISAGREES;
    }
    ByteBuffer held = ByteBuffer.wrap(w.frame, w.dataAt + piece.start(), piece.dataLength());
    ByteBuffer came = frame.slice(piece.dataAt(), piece.dataLength());
    return held.mismatch(came) == -1 ? Match.COPY : Match.DISAGREES;
  }

  /** Packets remembered. */
  int size() {
    return recent.size();
  }

  private void forget(long micros) {
    Iterator<Whole> it = recent.values().iterator();
    while (it.hasNext()) {
      Whole w = it.next();
      if (w.micros + WINDOW_MICROS > micros) {
        return;
      }
      bytes -= w.frame.length;
      it.remove();
    }
  }
}
