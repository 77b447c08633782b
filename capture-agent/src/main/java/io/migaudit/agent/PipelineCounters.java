package io.migaudit.agent;

import io.migaudit.agent.decode.DecodeIssue;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.defrag.Reassembly;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.source.CapturedPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Counters of one capture pipeline. Written by the pipeline's single thread, read by metric scrapes
 * and the replay summary. A pipeline split over capture workers gives each worker counters of its
 * own ({@link #worker()}); every reading of the parent adds its workers' counts to its own.
 */
public final class PipelineCounters implements Reassembly.Outcomes {
  /** Drop reason for frames whose capture file ended mid-record. */
  public static final String TRUNCATED_FILE = "truncated-file";

  /**
   * Drop reason for frames the kernel dropped before the capture read them (pcap_stats ps_drop).
   */
  public static final String KERNEL = "kernel";

  /** Drop reason for frames the interface or its driver dropped (pcap_stats ps_ifdrop). */
  public static final String INTERFACE = "interface";

  private static final LongSupplier NONE = () -> 0;

  private static final int IP_PROTOCOL_TCP = 6;

  private volatile long packets;
  private final long[] dropped = new long[DecodeIssue.values().length];
  private final long[] endedBefore = new long[EndReason.values().length];
  private volatile long continuedBefore;
  private volatile FlowTable table;
  private volatile long truncatedFiles;
  private volatile long tcpFragments;
  private volatile long tunnelFragments;
  private volatile long snappedPackets;
  private volatile long tunnelPacketsCut;
  private volatile long reassembled;
  private volatile long reassemblyConflicts;
  private volatile String firstConflict;
  private volatile long reassemblyIncomplete;
  private volatile long connectionsFollowed;
  private volatile long followsRefused;
  private volatile long flowPackets;
  private volatile long readingNanos;
  private volatile LongSupplier kernelDrops = NONE;
  private volatile LongSupplier interfaceDrops = NONE;
  private final List<PipelineCounters> workers = new CopyOnWriteArrayList<>();

  /** Counters for one more worker of this pipeline, written by that worker's thread alone. */
  public PipelineCounters worker() {
    PipelineCounters w = new PipelineCounters();
    workers.add(w);
    return w;
  }

  /** One frame read; called by the pipeline's thread. */
  public void packet() {
    packets++;
  }

  /**
   * {@code n} frames read, counted in bulk by a thread that reads many (a volatile write per frame
   * costs more than the rest of skipping another worker's frame).
   */
  public void packets(long n) {
    packets += n;
  }

  /**
   * {@code n} IP packets of this worker's own flows, counted by a worker that reads every frame of
   * a file (and skips the other workers').
   */
  public void flowPackets(long n) {
    flowPackets += n;
  }

  /**
   * The largest share of IP packets one worker of a file took (0 when no worker counted any): flows
   * are split by hash, so a few heavy flows can load one worker more than the others.
   */
  public double busiestWorkerShare() {
    long total = 0;
    long most = 0;
    for (PipelineCounters w : workers) {
      total += w.flowPackets;
      most = Math.max(most, w.flowPackets);
    }
    return total == 0 ? 0 : (double) most / total;
  }

  /**
   * One turn at reading a capture file by one of several workers, which read it one at a time under
   * the file's lock; called under that lock.
   */
  public void readingTurn(long nanos) {
    readingNanos += nanos;
  }

  /**
   * Wall-clock time the workers of a file spent in their turns at reading it (read each frame, find
   * its flow hash, copy it into a batch; then wait, if need be, until the batch before is dealt and
   * handed out): one worker at a time, so that with a core for each worker the file cannot be read
   * faster than its packets in this time, however many workers there are. 0 with one worker.
   */
  public long readingNanos() {
    return readingNanos;
  }

  /** One frame that did not decode to an IP packet; called by the pipeline's thread. */
  public void dropped(DecodeIssue issue) {
    dropped[issue.ordinal()]++;
  }

  void truncatedFile() {
    truncatedFiles++;
  }

  /**
   * Counts what cut a packet a flow table judges: the capture's snap length, or, for a tunnel
   * packet whose outer packet came in fragments and was not put back together, those fragments
   * (only the first was read); called by the thread of that flow table for every packet it offers.
   */
  public void judged(CapturedPacket captured, DecodedPacket decoded) {
    if (captured.capturedLength() < captured.originalLength) {
      snappedPackets++;
    }
    if (decoded.tunnelFragment) {
      tunnelPacketsCut++;
    }
  }

  /**
   * Counts a piece of a fragmented packet as it came off the wire (before reassembly); called by
   * the thread that reads the capture, once for each frame.
   */
  public void fragments(DecodedPacket decoded) {
    if (decoded.ipv4Fragment && decoded.ipProtocol == IP_PROTOCOL_TCP) {
      tcpFragments++;
    }
    if (decoded.tunnelFragment) {
      tunnelFragments++;
    }
  }

  /** The live capture began to follow a connection that opened a migration stream; one thread. */
  public void connectionFollowed() {
    connectionsFollowed++;
  }

  /** It did not: at its bound of connections followed, or pausing after a recompile; one thread. */
  public void followRefused() {
    followsRefused++;
  }

  /**
   * Connections outside the capture filter that the live capture began to follow because they
   * opened a QEMU or Xen migration stream.
   */
  public long connectionsFollowed() {
    return connectionsFollowed + overWorkers(PipelineCounters::connectionsFollowed);
  }

  /** Such connections not followed: too many at once, or opened during a recompile's pause. */
  public long followsRefused() {
    return followsRefused + overWorkers(PipelineCounters::followsRefused);
  }

  /**
   * Pieces of fragmented IPv4 packets carrying TCP: a migration path should never fragment (the
   * hosts' MTUs disagree, or someone splits segments to hide their headers from a sensor).
   */
  public long tcpFragments() {
    return tcpFragments + overWorkers(PipelineCounters::tcpFragments);
  }

  /** IP packets the capture's snap length cut (captured shorter than on the wire). */
  public long snappedPackets() {
    return snappedPackets + overWorkers(PipelineCounters::snappedPackets);
  }

  /**
   * Tunnel packets (VXLAN, Geneve, GRE, IP in IP, ...) whose outer IP packet was the first piece of
   * a fragmented one: the underlay's MTU is smaller than the tunnel needs (Linux VXLAN, for one,
   * leaves DF clear). The agent puts such packets back together ({@link #reassembled}); one it
   * cannot is judged from its first piece, cut.
   */
  public long tunnelFragments() {
    return tunnelFragments + overWorkers(PipelineCounters::tunnelFragments);
  }

  @Override
  public void packetReassembled() {
    reassembled++;
  }

  @Override
  public void packetConflicting(String what) {
    if (firstConflict == null) {
      firstConflict = what;
    }
    reassemblyConflicts++;
  }

  /**
   * The first fragmented packet whose pieces disagreed, named with why ("192.168.50.11 ->
   * 192.168.50.12, IPv4 id 19777: pieces that overlap ..."), of this pipeline or, if none, of its
   * first worker that had one; null when none did.
   */
  public String firstReassemblyConflict() {
    String own = firstConflict;
    if (own != null) {
      return own;
    }
    for (PipelineCounters w : workers) {
      String theirs = w.firstReassemblyConflict();
      if (theirs != null) {
        return theirs;
      }
    }
    return null;
  }

  @Override
  public void packetIncomplete() {
    reassemblyIncomplete++;
  }

  /**
   * Tunnel packets judged from the first fragment of their outer packet alone, cut: its other
   * pieces never all came, or disagree ({@link #tunnelFragments} counts them all).
   */
  public long tunnelPacketsCut() {
    return tunnelPacketsCut + overWorkers(PipelineCounters::tunnelPacketsCut);
  }

  /** Fragmented IP packets put back together and judged whole. */
  public long reassembled() {
    return reassembled + overWorkers(PipelineCounters::reassembled);
  }

  /**
   * Fragmented IP packets whose pieces disagree (overlapping with other bytes, longer than 65,535
   * bytes, too many pieces): judged piece by piece, as they came. A receiver keeps one copy of an
   * overlap or drops the packet, and which one depends on its system: a way to show a sensor other
   * bytes than the host gets.
   */
  public long reassemblyConflicts() {
    return reassemblyConflicts + overWorkers(PipelineCounters::reassemblyConflicts);
  }

  /**
   * Fragmented IP packets whose pieces never all came (within 30 s, or before the capture ended):
   * judged piece by piece, as they came.
   */
  public long reassemblyIncomplete() {
    return reassemblyIncomplete + overWorkers(PipelineCounters::reassemblyIncomplete);
  }

  /** Where this pipeline's capture-level drop counts come from (a live source's pcap stats). */
  public void captureDrops(LongSupplier kernel, LongSupplier iface) {
    kernelDrops = kernel;
    interfaceDrops = iface;
  }

  /** The pipeline started a new flow table; the counts of the previous one are kept. */
  public void table(FlowTable next) {
    FlowTable previous = table;
    if (previous != null) {
      for (EndReason r : EndReason.values()) {
        endedBefore[r.ordinal()] += previous.ended(r);
      }
      continuedBefore += previous.continuedFlows();
    }
    table = next;
  }

  public long packets() {
    return packets + overWorkers(PipelineCounters::packets);
  }

  /** Drop reasons this pipeline can report (metric tag values). */
  public List<String> dropReasons() {
    List<String> reasons = new ArrayList<>();
    for (DecodeIssue i : DecodeIssue.values()) {
      if (i != DecodeIssue.NONE) {
        reasons.add(i.reason());
      }
    }
    reasons.add(TRUNCATED_FILE);
    reasons.add(KERNEL);
    reasons.add(INTERFACE);
    return reasons;
  }

  /**
   * Packets dropped (or, for {@link #TRUNCATED_FILE}, files cut short) for this reason; {@link
   * #KERNEL} and {@link #INTERFACE} are frames a live capture never received.
   */
  public long dropped(String reason) {
    return ownDropped(reason) + overWorkers(w -> w.dropped(reason));
  }

  private long ownDropped(String reason) {
    if (TRUNCATED_FILE.equals(reason)) {
      return truncatedFiles;
    }
    if (KERNEL.equals(reason)) {
      return kernelDrops.getAsLong();
    }
    if (INTERFACE.equals(reason)) {
      return interfaceDrops.getAsLong();
    }
    for (DecodeIssue i : DecodeIssue.values()) {
      if (i.reason().equals(reason)) {
        return dropped[i.ordinal()];
      }
    }
    return 0;
  }

  /**
   * Packets that decoded badly: malformed, unsupported; not counting non-IP frames or
   * MACsec-encrypted ones.
   */
  public long malformed() {
    long n = overWorkers(PipelineCounters::malformed);
    for (DecodeIssue i : DecodeIssue.values()) {
      if (i.malformed()) {
        n += dropped[i.ordinal()];
      }
    }
    return n;
  }

  public long notIp() {
    return dropped[DecodeIssue.NOT_IP.ordinal()] + overWorkers(PipelineCounters::notIp);
  }

  /** MACsec frames whose data was encrypted: skipped, what they carry cannot be judged. */
  public long macsecEncrypted() {
    return dropped(DecodeIssue.MACSEC_ENCRYPTED.reason());
  }

  /**
   * RoCEv2 packets whose invariant CRC was wrong: a NIC drops them, so they were skipped (corrupt
   * on the link, or forged onto it to pass other bytes off as the transfer's).
   */
  public long roceBadIcrc() {
    return dropped(DecodeIssue.ROCE_BAD_ICRC.reason());
  }

  /**
   * Flows the pipeline's current table tracks (read from another thread: a recent value, not an
   * exact one).
   */
  public long activeFlows() {
    FlowTable t = table;
    return (t == null ? 0 : t.size()) + overWorkers(PipelineCounters::activeFlows);
  }

  public long flowsEnded(EndReason reason) {
    FlowTable t = table;
    return endedBefore[reason.ordinal()]
        + (t == null ? 0 : t.ended(reason))
        + overWorkers(w -> w.flowsEnded(reason));
  }

  /**
   * Flows that went on a connection after a RST or FIN (and any SYN after it) the hosts did not
   * honour ({@link FlowTable#continuedFlows}): forged closes, or a connection aborted with data in
   * flight.
   */
  public long flowsContinued() {
    FlowTable t = table;
    return continuedBefore
        + (t == null ? 0 : t.continuedFlows())
        + overWorkers(PipelineCounters::flowsContinued);
  }

  public long truncatedFiles() {
    return truncatedFiles;
  }

  /** The sum of {@code counter} over the workers' own counters (none for one pipeline). */
  private long overWorkers(ToLongFunction<PipelineCounters> counter) {
    long n = 0;
    for (PipelineCounters w : workers) {
      n += counter.applyAsLong(w);
    }
    return n;
  }
}
