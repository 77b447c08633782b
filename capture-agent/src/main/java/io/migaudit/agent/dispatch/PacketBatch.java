package io.migaudit.agent.dispatch;

import io.migaudit.agent.source.CapturedPacket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Up to {@link #PACKETS} IP frames in capture order, their bytes packed in one array of about
 * {@link #BYTES} at most (a frame may take it past that once), each with its flow hash and the
 * worker that owns its flow ({@link #steer}). Every worker reads every batch: it takes its own
 * frames and moves its table's packet clock on the others' ({@code FlowTable.tick}), so timeouts
 * fall due as in one table. The last worker done with a batch hands it back for reuse.
 */
final class PacketBatch {
  static final int PACKETS = 2048;

  /** Bytes of frames after which a batch is full, whatever its count: bounds a pool of batches. */
  static final int BYTES = 512 * 1024;

  private static final int INITIAL_BYTES = PACKETS * 128;

  final long[] timestampMicros = new long[PACKETS];
  final int[] linkType = new int[PACKETS];
  final int[] originalLength = new int[PACKETS];
  final int[] offset = new int[PACKETS];
  final int[] length = new int[PACKETS];
  final int[] hash = new int[PACKETS];
  final byte[] owner = new byte[PACKETS];
  private byte[] bytes = new byte[INITIAL_BYTES];
  private int used;
  int count;

  /** True for the batch after the last frame: workers end their flows and stop. */
  boolean last;

  private final AtomicInteger readers = new AtomicInteger();

  boolean full() {
    return count == PACKETS || used >= BYTES;
  }

  void clear() {
    count = 0;
    used = 0;
    last = false;
  }

  /** Appends a copy of {@code p}'s frame, with flow hash {@code flowHash}. */
  void add(CapturedPacket p, int flowHash) {
    ByteBuffer data = p.data;
    int n = data.limit();
    int at = reserve(n);
    data.get(0, bytes, at, n);
    close(p, at, n, flowHash);
  }

  /**
   * Appends a copy of {@code length} bytes of {@code frame} from {@code from}, with {@code p}'s
   * timestamp, link type and original length (a frame still in a source's read-ahead buffer).
   */
  void add(CapturedPacket p, byte[] frame, int from, int length, int flowHash) {
    int at = reserve(length);
    System.arraycopy(frame, from, bytes, at, length);
    close(p, at, length, flowHash);
  }

  /**
   * Gives each frame the worker of its flow, in file order: apart from the reading, so that the
   * reading loop stays small enough for the JIT to inline the frame hash into it.
   */
  void steer(FlowSteering steering) {
    for (int i = 0; i < count; i++) {
      owner[i] = (byte) steering.workerOf(hash[i], timestampMicros[i]);
    }
  }

  private int reserve(int n) {
    if (used + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + n));
    }
    return used;
  }

  private void close(CapturedPacket p, int at, int n, int flowHash) {
    int i = count++;
    timestampMicros[i] = p.timestampMicros;
    linkType[i] = p.linkType;
    originalLength[i] = p.originalLength;
    offset[i] = at;
    length[i] = n;
    hash[i] = flowHash;
    used += n;
  }

  /**
   * Fills {@code into} with frame {@code i}, copying its bytes into {@code frame} (big-endian,
   * reused).
   */
  ByteBuffer frame(int i, CapturedPacket into, ByteBuffer frame) {
    ByteBuffer f = frame;
    if (f.capacity() < length[i]) {
      f = ByteBuffer.allocate(Math.max(length[i], f.capacity() * 2));
    }
    f.clear();
    f.put(0, bytes, offset[i], length[i]);
    f.limit(length[i]);
    into.data = f;
    into.timestampMicros = timestampMicros[i];
    into.linkType = linkType[i];
    into.originalLength = originalLength[i];
    return f;
  }

  /** Sets how many workers will read this batch. */
  void readers(int n) {
    readers.set(n);
  }

  /** One worker is done with the batch; true for the last one. */
  boolean release() {
    return readers.decrementAndGet() == 0;
  }
}
