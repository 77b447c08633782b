package io.migaudit.agent.publish;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded first-in first-out queue of byte entries on disk: flow records the broker has not taken
 * yet. Entries go to append-only segment files ({@link SpoolSegment}); a segment is deleted once
 * every entry in it is {@linkplain #acknowledge acknowledged}.
 *
 * <p><b>Bound.</b> The segment files never hold more than {@code maxBytes} together. An append that
 * would pass the bound first deletes the oldest segment, whose unacknowledged entries are counted
 * in {@link #dropped()} and logged, one line per deleted segment: the newest records are kept,
 * because they describe migrations still running.
 *
 * <p><b>Durability.</b> Each append is one write to the file, so it survives the agent's process
 * being killed at any moment (a torn last entry is cut off on the next open: its CRC or length does
 * not match). Segments are fsynced when they are full, on {@link #sync()} (the publisher's drainer
 * calls it every second while the spool is in use) and on close, so a power cut loses at most the
 * last second of spooled records.
 *
 * <p>One agent per directory: a lock file keeps a second process out. Thread-safe.
 */
public final class Spool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

  /** Segments per bound: dropping one segment gives back a sixteenth of the spool. */
  static final int SEGMENTS_PER_BOUND = 16;

  /** The smallest bound: a segment must hold a few records. */
  public static final long MIN_MAX_BYTES = 64 * 1024;

  private final SpoolDirectory directory;
  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final Deque<SpoolSegment> segments = new ArrayDeque<>();
  private long nextId;
  private long bytes;
  private long pending;

  /** Read position in the oldest segment: byte offset and entries before it. */
  private long headOffset = SpoolSegment.MAGIC.length;

  private int headEntries;
  private long appended;
  private long dropped;
  private boolean dirty;

  private Spool(SpoolDirectory directory, long maxBytes, long segmentBytes) {
    this.directory = directory;
    this.dir = directory.path;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
  }

  /**
   * Opens (creating it if needed) the spool in {@code dir}, with segments of a sixteenth of the
   * bound.
   */
  public static Spool open(Path dir, long maxBytes) throws IOException {
    return open(
        dir, maxBytes, Math.max(maxBytes / SEGMENTS_PER_BOUND, MIN_MAX_BYTES / SEGMENTS_PER_BOUND));
  }

  /**
   * Opens the spool in {@code dir}, recovering the segments an earlier run left: their whole
   * entries are kept in order, a torn tail is cut off and logged.
   *
   * @throws IOException if the directory cannot be used or another process has it open
   */
  public static Spool open(Path dir, long maxBytes, long segmentBytes) throws IOException {
    if (maxBytes < 2 * segmentBytes
        || segmentBytes < SpoolSegment.MAGIC.length + SpoolSegment.ENTRY_HEADER_BYTES) {
      throw new IllegalArgumentException(
          "spool bound " + maxBytes + " must hold two segments of " + segmentBytes);
    }
    Spool spool = new Spool(SpoolDirectory.open(dir), maxBytes, segmentBytes);
    try {
      spool.recover();
    } catch (IOException | RuntimeException e) {
      spool.close();
      throw e;
    }
    return spool;
  }

  private void recover() throws IOException {
    for (Path file : directory.segments()) {
      long id = SpoolDirectory.idOf(file);
      nextId = Math.max(nextId, id + 1);
      SpoolSegment.Recovered r;
      try {
        r = SpoolSegment.recover(file, id);
      } catch (IOException e) {
        LOG.error("spool: {}; left in place and ignored", e.getMessage());
        continue;
      }
      if (r.cutBytes() > 0) {
        LOG.warn(
            "spool: {} had a torn or damaged tail: cut {} bytes after its {} whole records",
            file,
            r.cutBytes(),
            r.segment().entries());
      }
      if (r.segment().entries() == 0) {
        r.segment().delete();
        continue;
      }
      segments.addLast(r.segment());
      bytes += r.segment().sizeBytes();
      pending += r.segment().entries();
    }
    restoreHead();
    if (pending > 0) {
      LOG.warn(
          "spool {} holds {} flow records ({} bytes) from an earlier run; they are sent first",
          dir,
          pending,
          bytes);
    }
  }

  /**
   * Appends one entry after every other, deleting the oldest segments first if the bound needs it.
   */
  public synchronized void append(byte[] entry) throws IOException {
    if (entry.length > SpoolSegment.MAX_ENTRY_BYTES) {
      throw new IOException(
          "spool entry of "
              + entry.length
              + " bytes is above the limit of "
              + SpoolSegment.MAX_ENTRY_BYTES);
    }
    long size = SpoolSegment.entryBytes(entry.length);
    SpoolSegment active = segments.peekLast();
    if (active == null || (active.sizeBytes() + size > segmentBytes && active.entries() > 0)) {
      active = roll();
    }
    while (bytes + size > maxBytes && segments.size() > 1) {
      dropOldest();
    }
    active.append(entry);
    bytes += size;
    pending++;
    appended++;
    dirty = true;
  }

  private SpoolSegment roll() throws IOException {
    SpoolSegment last = segments.peekLast();
    if (last != null) {
      last.sync();
    }
    SpoolSegment s = SpoolSegment.create(dir, nextId++);
    segments.addLast(s);
    bytes += s.sizeBytes();
    return s;
  }

  private void dropOldest() throws IOException {
    SpoolSegment oldest = segments.removeFirst();
    int lost = oldest.entries() - headEntries;
    bytes -= oldest.sizeBytes();
    pending -= lost;
    dropped += lost;
    headOffset = SpoolSegment.MAGIC.length;
    headEntries = 0;
    oldest.delete();
    LOG.error(
        "spool {} full ({} bytes): dropped its oldest segment, {} flow records never delivered ({} in all)",
        dir,
        maxBytes,
        lost,
        dropped);
  }

  /** The oldest entries not acknowledged yet, at most {@code max}, and where they end. */
  public synchronized Batch read(int max) throws IOException {
    while (!segments.isEmpty()) {
      SpoolSegment head = segments.peekFirst();
      List<byte[]> entries = head.read(headOffset, max);
      if (!entries.isEmpty()) {
        long end = headOffset;
        for (byte[] e : entries) {
          end += SpoolSegment.entryBytes(e.length);
        }
        return new Batch(entries, head.id, end, headEntries + entries.size());
      }
      if (headEntries < head.entries()) {
        LOG.error(
            "spool: {} is damaged after record {}; its other {} records are dropped",
            head.path,
            headEntries,
            head.entries() - headEntries);
        dropOldest();
      } else if (segments.size() > 1) {
        removeHead();
      } else {
        break;
      }
    }
    return new Batch(List.of(), -1, 0, 0);
  }

  /**
   * Marks a batch delivered: its entries are not read again, and fully delivered segments are
   * deleted.
   */
  public synchronized void acknowledge(Batch batch) throws IOException {
    SpoolSegment head = segments.peekFirst();
    if (batch.entries().isEmpty() || head == null || head.id != batch.segment()) {
      return; // the bound dropped that segment meanwhile
    }
    pending -= batch.endEntries() - headEntries;
    headOffset = batch.endOffset();
    headEntries = batch.endEntries();
    if (headEntries == head.entries()) {
      removeHead(); // the next append starts a new segment
    }
    saveHead();
  }

  /** Remembers the read position, so a restart does not send acknowledged entries again. */
  private void saveHead() throws IOException {
    SpoolSegment head = segments.peekFirst();
    directory.saveHead(head == null ? -1 : head.id, headOffset);
  }

  /** Skips the entries an earlier run acknowledged in the oldest segment. */
  private void restoreHead() throws IOException {
    SpoolSegment head = segments.peekFirst();
    long offset = head == null ? -1 : directory.headOffset(head.id);
    if (offset < 0) {
      return;
    }
    long at = SpoolSegment.MAGIC.length;
    int skipped = 0;
    for (byte[] e : head.read(at, head.entries())) {
      if (at >= offset) {
        break;
      }
      at += SpoolSegment.entryBytes(e.length);
      skipped++;
    }
    if (at == offset && skipped < head.entries()) {
      headOffset = offset;
      headEntries = skipped;
      pending -= skipped;
    }
  }

  private void removeHead() throws IOException {
    SpoolSegment head = segments.removeFirst();
    pending -= head.entries() - headEntries;
    bytes -= head.sizeBytes();
    headOffset = SpoolSegment.MAGIC.length;
    headEntries = 0;
    head.delete();
  }

  /** Forces appended entries to the disk. */
  public synchronized void sync() throws IOException {
    if (dirty && !segments.isEmpty()) {
      segments.peekLast().sync();
      dirty = false;
    }
  }

  /** True when every entry appended has been acknowledged or dropped. */
  public synchronized boolean isEmpty() {
    return pending == 0;
  }

  /** Entries neither acknowledged nor dropped. */
  public synchronized long pending() {
    return pending;
  }

  /** Bytes of the segment files. */
  public synchronized long bytes() {
    return bytes;
  }

  public long maxBytes() {
    return maxBytes;
  }

  public Path directory() {
    return dir;
  }

  /** Entries appended since open. */
  public synchronized long appended() {
    return appended;
  }

  /** Entries deleted unacknowledged because the bound was reached, since open. */
  public synchronized long dropped() {
    return dropped;
  }

  @Override
  public synchronized void close() throws IOException {
    try {
      sync();
      for (SpoolSegment s : new ArrayList<>(segments)) {
        if (s.entries() == 0) {
          s.delete();
        } else {
          s.close();
        }
      }
      segments.clear();
    } finally {
      directory.close();
    }
  }

  /**
   * Entries read from the oldest segment.
   *
   * @param segment id of the segment they come from
   * @param endOffset byte offset after the last of them
   * @param endEntries entries of the segment up to and including the last of them
   */
  public record Batch(List<byte[]> entries, long segment, long endOffset, int endEntries) {
    public int size() {
      return entries.size();
    }
  }
}
