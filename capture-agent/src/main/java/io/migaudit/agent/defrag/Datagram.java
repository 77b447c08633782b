package io.migaudit.agent.defrag;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The pieces held of one fragmented packet, in order of where their data lies, none overlapping
 * another: a piece that would overlap is refused ({@link Placement#CONFLICT}), as Linux since 4.19
 * and RFC 5722 refuse it, except an exact copy of a piece held ({@link Placement#DUPLICATE}: a
 * mirror that sends a frame twice).
 */
final class Datagram {
  /** What became of a piece offered to {@link #place}. */
  enum Placement {
    HELD,
    DUPLICATE,
    CONFLICT
  }

  final long firstMicros;
  private final List<HeldPiece> pieces = new ArrayList<>();

  /** Where the packet's data ends, once its last piece came; else -1. */
  private int end = -1;

  private int covered;
  private long heldBytes;

  /** Its pieces disagree: every later piece passes as it came, until it expires. */
  boolean refused;

  /** The decode of the piece at offset 0: where its layers lie. */
  Geometry geometry;

  Datagram(long firstMicros) {
    this.firstMicros = firstMicros;
  }

  /** Where the fragmented layer and the headers that count it lie in the first piece's frame. */
  record Geometry(int ip, int fragmentHeader, int fragmentNamedAt, int[] enclosing) {}

  Placement place(HeldPiece p) {
    int at = 0;
    while (at < pieces.size() && pieces.get(at).start() < p.start()) {
      at++;
    }
    if (at < pieces.size()) {
      HeldPiece next = pieces.get(at);
      if (next.start() == p.start() && next.end() == p.end() && next.sameData(p)) {
        return Placement.DUPLICATE;
      }
      if (next.start() < p.end()) {
        return Placement.CONFLICT;
      }
    }
    if (at > 0 && pieces.get(at - 1).end() > p.start()) {
      return Placement.CONFLICT;
    }
    if (!p.piece().more()) {
      if (end >= 0 && end != p.end()) {
        return Placement.CONFLICT; // two last pieces that end in different places
      }
      if (!pieces.isEmpty() && pieces.get(pieces.size() - 1).end() > p.end()) {
        return Placement.CONFLICT; // data past the end
      }
      end = p.end();
    } else if (end >= 0 && p.end() > end) {
      return Placement.CONFLICT;
    }
    pieces.add(at, p);
    covered += p.piece().dataLength();
    heldBytes += p.frame().length;
    return Placement.HELD;
  }

  /** Every byte from 0 to the end is held: the pieces do not overlap, so the sum says so. */
  boolean complete() {
    return end >= 0 && covered == end && geometry != null;
  }

  int end() {
    return end;
  }

  int pieceCount() {
    return pieces.size();
  }

  long heldBytes() {
    return heldBytes;
  }

  /** The pieces in order of their data. */
  List<HeldPiece> pieces() {
    return pieces;
  }

  /** The pieces in the order they came, and lets go of them. */
  List<HeldPiece> release() {
    List<HeldPiece> out = new ArrayList<>(pieces);
    out.sort(Comparator.comparingLong(HeldPiece::arrival));
    pieces.clear();
    covered = 0;
    heldBytes = 0;
    return out;
  }
}
