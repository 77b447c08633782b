package io.migaudit.agent.flow;

import io.migaudit.agent.decode.DecodedPacket;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * TCP flows that a SYN opened on the addresses and ports of a flow that had just closed (within its
 * linger), with the closed flows they followed: the connection of a closed flow may still be going
 * on behind them. A RST or FIN that the receiver drops (a wrong checksum) ends a flow for a sensor
 * and not for the hosts, and a forged SYN after it opens a "new connection" that forged segments
 * can fill, while the real stream goes on outside that connection's window, or inside it as
 * segments "sent again" behind forged copies when the forged SYN took the real stream's own
 * sequence numbers. When a segment outside the new flow's window goes on in sequence from one of
 * the closed flows ({@link FlowEntry#continuedBy}), or one whose bytes the new flow already has
 * starts exactly where a closed flow's stream stopped ({@link FlowEntry#continuedExactlyBy}), the
 * close and the SYN were not honoured: the flow takes over that closed flow's streams and samples
 * ({@link FlowEntry#continueFrom}). A new connection's own new segments lie in its window, so a
 * port reused at once, even with an initial sequence number just past the old stream's end (RFC
 * 6191, which puts none of its segments at the old stream's next byte), is judged on its own.
 *
 * <p>A flow keeps up to {@link #MAX_FOLLOWED} of the closed flows of the closes in a row before it,
 * newest first, so that forged RST and SYN pairs between two real segments do not lose the stream:
 * past that number it keeps the newest, the oldest (the chain's first) and those whose streams
 * carried the most bytes ({@link #lightest}). Each is kept while a packet of it would still be
 * taken as trailing it (the table's linger). Empty in ordinary traffic, where the table pays one
 * {@code isEmpty} per packet for it.
 */
final class ReopenedFlows {
  /** Closed flows a flow keeps at most. */
  static final int MAX_FOLLOWED = 4;

  private static final Followed[] NONE = new Followed[0];

  /**
   * A closed flow a new one follows, and the first flow of the connection it went on (null when it
   * began its own), read before it left the table.
   */
  record Followed(FlowEntry flow, String connection) {}

  private final Map<FlowEntry, Followed[]> followed = new IdentityHashMap<>();
  private final long lingerMicros;

  ReopenedFlows(long lingerMicros) {
    this.lingerMicros = lingerMicros;
  }

  boolean isEmpty() {
    return followed.isEmpty();
  }

  /**
   * The closed flows {@code e} followed, newest first (empty if none); read before {@code e} leaves
   * the table, when a SYN opens another flow on its key.
   */
  Followed[] followedBy(FlowEntry e) {
    Followed[] f = followed.get(e);
    return f == null ? NONE : f;
  }

  /**
   * {@code opened} was opened by a SYN at {@code nowMicros} on the key of the flow {@code closed}
   * holds, which had itself followed {@code before}.
   */
  void opened(FlowEntry opened, Followed closed, Followed[] before, long nowMicros) {
    Followed[] f = new Followed[before.length + 1];
    f[0] = closed;
    int n = 1;
    for (Followed b : before) {
      if (lingers(b.flow(), nowMicros)) {
        f[n++] = b;
      }
    }
    while (n > MAX_FOLLOWED) {
      int drop = lightest(f, n);
      System.arraycopy(f, drop + 1, f, drop, n - drop - 1);
      n--;
    }
    followed.put(opened, n == f.length ? f : Arrays.copyOf(f, n));
  }

  /**
   * The closed flow to let go of among {@code f[0..n)}, newest first: never the newest (the flow
   * just closed) nor the oldest (the chain's first, where the connection was when the closes
   * began); of the others the one whose streams carried the fewest bytes, the older of equals. A
   * forged connection carries what its forger sends it, while the one the real stream went on
   * carries the stream, so a burst of forged closes in a row lets go of forged connections first.
   */
  private static int lightest(Followed[] f, int n) {
    int drop = 1;
    for (int i = 2; i < n - 1; i++) {
      if (f[i].flow().streamBytesTaken() <= f[drop].flow().streamBytesTaken()) {
        drop = i;
      }
    }
    return drop;
  }

  /**
   * The closed flow whose connection {@code p} goes on, when {@code p} lies outside the window of
   * {@code e}, the flow it reached; else null. Once one is found, {@code e} follows nothing more.
   */
  Followed continued(FlowEntry e, DecodedPacket p, boolean fromA) {
    Followed[] f = followed.get(e);
    if (f == null || p.payloadWireLength == 0 || p.fragment) {
      return null;
    }
    int landing = e.landing(p, fromA);
    if (landing == TcpStream.LANDS_NEW) {
      return null;
    }
    for (Followed closed : f) {
      FlowEntry c = closed.flow();
      if (lingers(c, p.timestampMicros)
          && (landing == TcpStream.LANDS_OUTSIDE
              ? c.continuedBy(p, fromA)
              : c.continuedExactlyBy(p, fromA))) {
        followed.remove(e);
        return closed;
      }
    }
    return null;
  }

  /** {@code e} left the table. */
  void removed(FlowEntry e) {
    followed.remove(e);
  }

  /** Lets go of the flows whose closed flows all passed their linger by {@code nowMicros}. */
  void prune(long nowMicros) {
    followed.values().removeIf(f -> Arrays.stream(f).noneMatch(c -> lingers(c.flow(), nowMicros)));
  }

  void clear() {
    followed.clear();
  }

  /** Flows that follow closed ones (tests). */
  int size() {
    return followed.size();
  }

  private boolean lingers(FlowEntry closed, long nowMicros) {
    return nowMicros - closed.lastSeenMicros() < lingerMicros;
  }
}
