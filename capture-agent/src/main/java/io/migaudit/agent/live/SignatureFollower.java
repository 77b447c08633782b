package io.migaudit.agent.live;

import io.migaudit.agent.CaptureAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.classify.MigrationOpenings;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.flow.FlowKey;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.source.CaptureFilter;
import io.migaudit.agent.source.Refilterable;
import io.migaudit.record.AddressText;
import io.migaudit.record.Signature;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows, in one capture worker, the TCP connections that open a QEMU or Xen migration stream
 * outside the capture filter. The filter passes only such a connection's opening segment ({@link
 * CaptureFilter}); when this worker reads one that its opened filter alone would have dropped (a
 * port no catalog lists, hosts the policy does not name), it widens the kernel filter to the
 * connection, so the rest of the migration reaches the flow table and is judged as in a replay. The
 * segments sent while the filter changes are lost (a gap the record shows). When the flow table no
 * longer holds the flow (it ended, timed out or was evicted) the filter narrows again.
 *
 * <p>Someone can send such openings on purpose, and libpcap's optimizer takes longer the more
 * connections a filter names (on the 2-core VM about 3 ms for none, 24 ms for 16 and 680 ms for 64,
 * tools/bench/follow-filter-cost.sh): at most {@link #MAX_FOLLOWED} connections are followed at
 * once, and after a recompile that took T no connection is begun for {@link #PAUSE_PER_COMPILE} x T
 * of capture time, so that recompiling takes at most a twentieth of the capture thread's time
 * however many openings come. An opening refused is still recorded (its segment reached the flow
 * table) and counted. Under AF_PACKET fanout every frame of a connection reaches the same worker,
 * so each worker follows its own.
 */
public final class SignatureFollower implements CaptureAgent.PacketWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(SignatureFollower.class);

  static final int MAX_FOLLOWED = 16;

  /** Capture time without a new connection per unit of time a recompile took: 95 % to capture. */
  static final int PAUSE_PER_COMPILE = 19;

  /** The longest such pause, also when the capture's clock steps back under one. */
  private static final long MAX_PAUSE_MICROS = 10_000_000;

  private static final int TCP = 6;
  private static final long SECOND_MICROS = 1_000_000;
  private static final long REFUSAL_LOG_MICROS = 60 * SECOND_MICROS;

  private final Refilterable capture;

  /** The opened filter without its openings clause: what decides that a connection is outside. */
  private final String scope;

  private final String name;
  private final PipelineCounters counters;
  private final LongSupplier nanoClock;
  private final Map<FlowKey, String> followed = new LinkedHashMap<>();
  private long nextCheckMicros = Long.MIN_VALUE;
  private long pausedUntilMicros = Long.MIN_VALUE;
  private long nextRefusalLogMicros = Long.MIN_VALUE;

  /** A follower widening {@code capture}'s filter, counting into {@code counters}. */
  public SignatureFollower(Refilterable capture, String name, PipelineCounters counters) {
    this(capture, name, counters, System::nanoTime);
  }

  /** The same, timing its recompiles with {@code nanoClock}. */
  SignatureFollower(
      Refilterable capture, String name, PipelineCounters counters, LongSupplier nanoClock) {
    this.capture = capture;
    this.scope = CaptureFilter.withoutOpenings(capture.openedFilter());
    this.name = name;
    this.counters = counters;
    this.nanoClock = nanoClock;
  }

  @Override
  public void saw(DecodedPacket p, FlowTable table) {
    // narrowing recompiles too: not while the last recompile's pause lasts
    if (!followed.isEmpty() && p.timestampMicros >= nextCheckMicros && !paused(p.timestampMicros)) {
      nextCheckMicros = p.timestampMicros + SECOND_MICROS;
      dropEnded(table, p.timestampMicros);
    }
    if (p.ipProtocol != TCP
        || p.payloadCapturedLength < Integer.BYTES
        || !MigrationOpenings.mayOpen(p.frame.getInt(p.payloadOffset))) {
      return;
    }
    Signature opening = MigrationOpenings.match(p.frame, p.payloadOffset, p.payloadCapturedLength);
    if (opening == Signature.NONE) {
      return;
    }
    FlowKey key = FlowKey.of(p);
    if (followed.containsKey(key) || insideScope()) {
      return;
    }
    String from = AddressText.format(p.ipVersion, p.srcHi, p.srcLo);
    String to = AddressText.format(p.ipVersion, p.dstHi, p.dstLo);
    if (followed.size() >= MAX_FOLLOWED || paused(p.timestampMicros)) {
      refuse(p.timestampMicros, from, p.srcPort, to, p.dstPort);
      return;
    }
    followed.put(key, CaptureFilter.connection(from, p.srcPort, to, p.dstPort));
    if (apply(p.timestampMicros)) {
      counters.connectionFollowed();
      LOG.warn(
          "{}: following {}:{} -> {}:{}: it opens a {} migration stream outside the capture"
              + " filter",
          name,
          from,
          p.srcPort,
          to,
          p.dstPort,
          opening.wire());
    } else {
      followed.remove(key);
    }
  }

  /** Connections followed now. */
  int following() {
    return followed.size();
  }

  /** True when the frame passes the filter without the openings clause (or that cannot be told). */
  private boolean insideScope() {
    try {
      return capture.lastFramePasses(scope);
    } catch (IOException e) {
      LOG.warn(
          "{}: cannot tell whether a migration opening is inside the filter: {}",
          name,
          e.getMessage());
      return true;
    }
  }

  private boolean paused(long nowMicros) {
    return nowMicros < pausedUntilMicros && pausedUntilMicros - nowMicros <= MAX_PAUSE_MICROS;
  }

  private void refuse(long nowMicros, String from, int fromPort, String to, int toPort) {
    counters.followRefused();
    if (nowMicros >= nextRefusalLogMicros
        || nowMicros < nextRefusalLogMicros - REFUSAL_LOG_MICROS) {
      nextRefusalLogMicros = nowMicros + REFUSAL_LOG_MICROS;
      LOG.warn(
          "{}: not following {}:{} -> {}:{}, which opens a migration stream outside the capture"
              + " filter: {} connections followed, at most {} at once, none begun while the last"
              + " recompile's pause lasts (migaudit_agent_follows_refused_total counts them;"
              + " --bpf-extra captures them)",
          name,
          from,
          fromPort,
          to,
          toPort,
          followed.size(),
          MAX_FOLLOWED);
    }
  }

  private void dropEnded(FlowTable table, long nowMicros) {
    boolean dropped = false;
    for (Iterator<FlowKey> i = followed.keySet().iterator(); i.hasNext(); ) {
      if (!table.holds(i.next())) {
        i.remove();
        dropped = true;
      }
    }
    if (dropped) {
      apply(nowMicros);
    }
  }

  /**
   * Sets the opened filter widened to the connections followed, and pauses new ones for {@link
   * #PAUSE_PER_COMPILE} times what that took; false when it failed.
   */
  private boolean apply(long nowMicros) {
    long start = nanoClock.getAsLong();
    try {
      capture.refilter(CaptureFilter.widened(capture.openedFilter(), followed.values()));
      return true;
    } catch (IOException e) {
      LOG.warn(
          "{}: cannot follow a migration outside the capture filter: {}", name, e.getMessage());
      return false;
    } finally {
      long tookMicros = Math.max(0, nanoClock.getAsLong() - start) / 1_000;
      pausedUntilMicros = nowMicros + Math.min(MAX_PAUSE_MICROS, PAUSE_PER_COMPILE * tookMicros);
    }
  }
}
