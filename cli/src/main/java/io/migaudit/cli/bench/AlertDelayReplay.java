package io.migaudit.cli.bench;

import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.decode.PacketDecoder;
import io.migaudit.agent.source.CapturedPacket;
import io.migaudit.agent.source.PacketSource;
import io.migaudit.agent.source.PcapFileSource;
import io.migaudit.agent.source.SourceStats;
import io.migaudit.record.PortCatalog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A migration capture replayed as a live interface would give it: at the capture's own pace,
 * stamped with the wall clock, and kept going (its payload packets again, at {@code ratePerSecond})
 * until {@code duration} has passed, as a real migration lasts far longer than a sample's few
 * milliseconds; the payload sent again carries the sequence numbers that follow the capture's (see
 * {@link TcpLoopShift}). FIN and RST packets are left out so the flow stays open, as it would
 * mid-migration. Remembers when it handed out the first payload packet of a migration-port flow.
 */
final class AlertDelayReplay implements PacketSource {
  private static final long TCP_FIN_OR_RST = 0x01 | 0x04;
  private static final int TCP = 6;

  private final String name;
  private final List<CapturedPacket> frames;
  private final List<CapturedPacket> payload;
  private final TcpLoopShift shift;
  private final int firstPayloadIndex;
  private final long gapNanos;
  private final long durationNanos;
  private long startNanos;
  private long startMicros;
  private long captureStartMicros;
  private int index;
  private long loopsSent;
  private long lastDueNanos;
  private long sent;
  private long bytes;
  private volatile long firstPayloadSentNanos;

  private AlertDelayReplay(
      String name,
      List<CapturedPacket> frames,
      List<CapturedPacket> payload,
      TcpLoopShift shift,
      int firstPayloadIndex,
      int ratePerSecond,
      long durationNanos) {
    this.name = name;
    this.frames = frames;
    this.payload = payload;
    this.shift = shift;
    this.firstPayloadIndex = firstPayloadIndex;
    this.gapNanos = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
    this.durationNanos = durationNanos;
  }

  /** Reads {@code capture} into memory and finds its first migration payload packet. */
  static AlertDelayReplay of(
      Path capture, PortCatalog catalog, int ratePerSecond, long durationNanos) throws IOException {
    List<CapturedPacket> frames = new ArrayList<>();
    List<CapturedPacket> payload = new ArrayList<>();
    List<DecodedPacket> payloadDecoded = new ArrayList<>();
    int first = -1;
    PacketDecoder decoder = new PacketDecoder();
    DecodedPacket d = new DecodedPacket();
    try (PcapFileSource source = PcapFileSource.open(capture)) {
      CapturedPacket p = new CapturedPacket();
      while (source.next(p)) {
        CapturedPacket copy = copy(p);
        boolean decoded = decoder.decode(copy, d) == DecodeIssue.NONE;
        if (decoded && d.ipProtocol == TCP && (d.tcpFlags & TCP_FIN_OR_RST) != 0) {
          continue;
        }
        boolean migrationPayload = decoded && d.payloadWireLength > 0 && migration(catalog, d);
        if (migrationPayload && first < 0) {
          first = frames.size();
        }
        frames.add(copy);
        if (migrationPayload) {
          payload.add(copy);
          DecodedPacket kept = new DecodedPacket();
          decoder.decode(copy, kept);
          payloadDecoded.add(kept);
        }
      }
    }
    if (first < 0) {
      throw new IOException(capture + ": no payload packet on a migration port");
    }
    TcpLoopShift shift =
        TcpLoopShift.of(
            payload.toArray(CapturedPacket[]::new), payloadDecoded.toArray(DecodedPacket[]::new));
    return new AlertDelayReplay(
        capture.toString(), frames, payload, shift, first, ratePerSecond, durationNanos);
  }

  private static boolean migration(PortCatalog catalog, DecodedPacket d) {
    String transport = d.ipProtocol == TCP ? "tcp" : "udp";
    return catalog.protocolOf(transport, d.dstPort) != null
        || catalog.protocolOf(transport, d.srcPort) != null;
  }

  private static CapturedPacket copy(CapturedPacket p) {
    CapturedPacket c = new CapturedPacket();
    c.timestampMicros = p.timestampMicros;
    c.linkType = p.linkType;
    c.originalLength = p.originalLength;
    byte[] b = new byte[p.capturedLength()];
    p.data.get(0, b);
    c.data = ByteBuffer.wrap(b);
    return c;
  }

  @Override
  public boolean next(CapturedPacket into) {
    if (sent == 0) {
      startNanos = System.nanoTime();
      startMicros = System.currentTimeMillis() * 1000;
      captureStartMicros = frames.get(0).timestampMicros;
    }
    CapturedPacket p;
    ByteBuffer data;
    long dueNanos;
    if (index < frames.size()) {
      p = frames.get(index);
      data = p.data.duplicate().clear();
      dueNanos = startNanos + (p.timestampMicros - captureStartMicros) * 1000;
    } else {
      long elapsed = System.nanoTime() - startNanos;
      if (elapsed >= durationNanos) {
        return false;
      }
      int i = (int) (loopsSent % payload.size());
      long round = loopsSent++ / payload.size() + 1;
      p = payload.get(i);
      data = shift.shifted(i, p.data, round); // numbered on, as the migration goes on
      dueNanos = lastDueNanos + gapNanos;
    }
    waitUntil(dueNanos);
    lastDueNanos = dueNanos;
    long now = System.nanoTime();
    if (index == firstPayloadIndex) {
      firstPayloadSentNanos = now;
    }
    index++;
    into.timestampMicros = startMicros + (now - startNanos) / 1000; // a live capture's clock
    into.linkType = p.linkType;
    into.originalLength = p.originalLength;
    into.data = data;
    sent++;
    bytes += p.capturedLength();
    return true;
  }

  private static void waitUntil(long dueNanos) {
    long wait;
    while ((wait = dueNanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(1)));
    }
  }

  /** System.nanoTime() when the first migration payload packet was handed out, 0 before. */
  long firstPayloadSentNanos() {
    return firstPayloadSentNanos;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SourceStats stats() {
    return new SourceStats(sent, bytes, null);
  }

  @Override
  public void close() {}
}
