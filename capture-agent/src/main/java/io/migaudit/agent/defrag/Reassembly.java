package io.migaudit.agent.defrag;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.source.CapturedPacket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts fragmented IPv4 and IPv6 packets back together before they are judged (RFC 791, RFC 8200
 * 4.5), as the receiving host does: a TCP segment whose first piece holds only its header, or a
 * tunnel packet its underlay cut in two, is judged by all it carried. One per pipeline; the pieces
 * of a packet are found by addresses, identification, protocol (IPv4) and the VLAN, VNI and tunnel
 * they travelled in.
 *
 * <p>A piece that overlaps another with different bytes, a packet that would pass 65,535 bytes, or
 * more than {@link #MAX_PIECES} pieces is a conflict: Linux (since 4.19) and RFC 5722 drop such a
 * packet, another receiver may keep either copy, so the auditor keeps both: every piece of it goes
 * on as it came (judged piece by piece, as without reassembly) and it is counted. So does every
 * piece of a packet not whole {@link #TIMEOUT_MICROS} of packet time after its first piece came
 * (Linux's {@code ipfrag_time}), at the end of the capture, or when the pieces held pass {@link
 * #MAX_HELD_BYTES} (Linux's {@code ipfrag_high_thresh}; the oldest go first). Nothing is lost: a
 * piece is either part of a whole packet or handed on as it came. A piece the decoder could not
 * read whole (cut by the snap length) is not held.
 *
 * <p>Not thread-safe: one pipeline thread.
 */
public final class Reassembly {
  /** Packet time a packet's pieces wait for the rest: Linux's {@code ipfrag_time}, 30 s. */
  public static final long TIMEOUT_MICROS = 30_000_000L;

  /** Bytes of frames held at most: Linux's {@code ipfrag_high_thresh}, 4 MiB. */
  public static final long MAX_HELD_BYTES = 4L << 20;

  /** Pieces of one packet at most: 8-byte pieces of a 4 KiB packet. */
  public static final int MAX_PIECES = 512;

  /** The first conflict is logged, then every this many. */
  private static final long CONFLICTS_LOGGED_EVERY = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(Reassembly.class);

  /** Packets waiting at most, refused ones included. */
  static final int MAX_DATAGRAMS = 4096;

  /** What the pipeline counts. */
  public interface Outcomes {
    /** A packet was put back together from its pieces. */
    void packetReassembled();

    /**
     * A packet's pieces disagree (overlap, too long, too many): they went on as they came; {@code
     * what} names the packet and why, for an operator to find its sender.
     */
    void packetConflicting(String what);

    /** A packet's pieces never all came: they went on as they came. */
    void packetIncomplete();
  }

  /**
   * A frame for the pipeline: a packet put back together from {@code pieces} pieces ({@code
   * whole}), or one piece as it came.
   */
  public record Ready(CapturedPacket packet, boolean whole, int pieces) {}

  private final Outcomes outcomes;
  private final Map<Fragment.Key, Datagram> waiting = new LinkedHashMap<>();
  private final ArrayDeque<Ready> ready = new ArrayDeque<>();
  private final RecentPackets recent = new RecentPackets();
  private long held;
  private long arrivals;
  private long duplicates;
  private long conflicts;
  private long nextExpiryMicros = Long.MAX_VALUE;

  public Reassembly(Outcomes outcomes) {
    this.outcomes = outcomes;
  }

  /**
   * Takes the piece of a fragmented packet {@code decoded} holds ({@link
   * DecodedPacket#fragmentedIp}), a copy of {@code captured}'s frame. False when it does not: not a
   * piece, one that cannot be placed, or one of a packet whose pieces conflict; the pipeline then
   * judges it as it is. Whatever became whole or must go on is then {@link #next}.
   */
  public boolean hold(CapturedPacket captured, DecodedPacket decoded) {
    if (decoded.fragmentedIp == DecodedPacket.NOT_FRAGMENTED) {
      return false;
    }
    Fragment piece = Fragment.read(decoded);
    if (piece == null) {
      return false;
    }
    Fragment.Key key = piece.key();
    Datagram g = waiting.get(key);
    if (g == null) {
      RecentPackets.Match late = recent.match(piece, decoded.frame, captured.timestampMicros);
      if (late == RecentPackets.Match.COPY) {
        duplicates++;
        return true; // a copy of a piece of a packet already whole
      }
      if (late == RecentPackets.Match.DISAGREES) {
        conflict(key, "a piece that disagrees with the packet already put back together");
        return false;
      }
      if (waiting.size() >= MAX_DATAGRAMS) {
        expireOldest();
      }
      g = new Datagram(captured.timestampMicros);
      waiting.put(key, g);
      if (waiting.size() == 1) {
        nextExpiryMicros = g.firstMicros + TIMEOUT_MICROS;
      }
    }
    if (g.refused) {
      return false;
    }
    if (g.pieceCount() >= MAX_PIECES) {
      refuse(g, key, "more than " + MAX_PIECES + " pieces");
      return false;
    }
    HeldPiece copy = HeldPiece.copy(piece, captured, decoded.frame, arrivals++);
    Datagram.Placement placed = g.place(copy);
    if (placed == Datagram.Placement.CONFLICT) {
      refuse(g, key, "pieces that overlap with other bytes or end in different places");
      return false;
    }
    if (placed == Datagram.Placement.DUPLICATE) {
      duplicates++;
      return true; // the same bytes again: the packet has them
    }
    held += copy.frame().length;
    if (piece.start() == 0) {
      g.geometry =
          new Datagram.Geometry(
              decoded.fragmentedIp,
              decoded.fragmentHeader,
              decoded.fragmentNamedAt,
              Arrays.copyOf(decoded.enclosing, decoded.enclosingCount));
    }
    if (g.complete()) {
      whole(key, g);
    }
    while (held > MAX_HELD_BYTES && !waiting.isEmpty()) {
      expireOldest();
    }
    return true;
  }

  /** The next frame for the pipeline, in the order they became ready; null when none. */
  public Ready next() {
    return ready.poll();
  }

  /**
   * Hands on the pieces of every packet not whole {@link #TIMEOUT_MICROS} after its first piece;
   * true when that made anything ready for {@link #next}. A comparison when nothing is due.
   */
  public boolean expire(long nowMicros) {
    return nowMicros >= nextExpiryMicros && expireDue(nowMicros);
  }

  private boolean expireDue(long nowMicros) {
    Iterator<Datagram> it = waiting.values().iterator();
    while (it.hasNext()) {
      Datagram g = it.next();
      if (g.firstMicros + TIMEOUT_MICROS > nowMicros) {
        nextExpiryMicros = g.firstMicros + TIMEOUT_MICROS;
        return !ready.isEmpty();
      }
      it.remove();
      giveUp(g);
    }
    nextExpiryMicros = Long.MAX_VALUE;
    return !ready.isEmpty();
  }

  /** Hands on the pieces of every packet still waiting: the capture ended. */
  public void drain() {
    for (Datagram g : waiting.values()) {
      giveUp(g);
    }
    waiting.clear();
    nextExpiryMicros = Long.MAX_VALUE;
  }

  /** Packets waiting for pieces (refused ones included). */
  public int waiting() {
    return waiting.size();
  }

  /** Pieces taken that were exact copies of a piece held (a mirror that sends a frame twice). */
  public long duplicates() {
    return duplicates;
  }

  /** Bytes of frames held. */
  public long heldBytes() {
    return held;
  }

  private void whole(Fragment.Key key, Datagram g) {
    byte[] frame = ReassembledFrame.build(g);
    if (frame == null) {
      refuse(g, key, "longer than 65,535 bytes"); // it waits, refused, until it expires
      return;
    }
    waiting.remove(key);
    HeldPiece last = lastArrived(g);
    CapturedPacket p = new CapturedPacket();
    p.timestampMicros = last.timestampMicros();
    p.linkType = last.linkType();
    p.originalLength = frame.length;
    p.data = ByteBuffer.wrap(frame);
    recent.remember(key, p.timestampMicros, frame, ReassembledFrame.dataAt(g), g.end());
    held -= g.heldBytes();
    ready.add(new Ready(p, true, g.release().size()));
    outcomes.packetReassembled();
    resetExpiry();
  }

  private static HeldPiece lastArrived(Datagram g) {
    HeldPiece last = g.pieces().get(0);
    for (HeldPiece p : g.pieces()) {
      if (p.arrival() > last.arrival()) {
        last = p;
      }
    }
    return last;
  }

  /** Its pieces conflict: hands on those held; later ones pass until it expires. */
  private void refuse(Datagram g, Fragment.Key key, String why) {
    if (!g.refused) {
      conflict(key, why);
    }
    g.refused = true;
    handOn(g);
  }

  /** Counts a packet whose pieces disagree, and logs the first and every 1,000th. */
  private void conflict(Fragment.Key key, String why) {
    conflicts++;
    String what = key.describe() + ": " + why;
    if (conflicts == 1 || conflicts % CONFLICTS_LOGGED_EVERY == 0) {
      LOG.warn(
          "fragmented packet {}; its pieces are judged as they came (conflict {} on this pipeline)",
          what,
          conflicts);
    }
    outcomes.packetConflicting(what);
  }

  private void giveUp(Datagram g) {
    if (!g.refused && g.pieceCount() > 0) {
      outcomes.packetIncomplete();
    }
    handOn(g);
  }

  private void handOn(Datagram g) {
    held -= g.heldBytes();
    for (HeldPiece p : g.release()) {
      ready.add(new Ready(p.asCaptured(), false, 1));
    }
  }

  private void expireOldest() {
    Iterator<Datagram> it = waiting.values().iterator();
    Datagram g = it.next();
    it.remove();
    giveUp(g);
    resetExpiry();
  }

  private void resetExpiry() {
    Iterator<Datagram> it = waiting.values().iterator();
    nextExpiryMicros = it.hasNext() ? it.next().firstMicros + TIMEOUT_MICROS : Long.MAX_VALUE;
  }
}
