package io.migaudit.agent.classify;

import io.migaudit.record.Signature;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A bounded sample of one direction of a flow's payload: the first bytes (for signatures) and a
 * byte histogram (for statistics, a {@link ByteHistogram}: small samples are kept as bytes, larger
 * ones counted in 512 bytes, then 1 KiB). The bytes themselves never leave this object, and past
 * the histogram's first bytes only the first {@link #HEAD_BYTES} are kept. Statistics are computed
 * when asked and kept until the next sampled byte, so the interim records of a flow whose sample is
 * full cost nothing here. A direction whose first byte may start a QEMU multifd channel also gets a
 * {@link MultifdPacketReader}, which reads the compression method from the packet headers that
 * follow (a few dozen bytes of state); one whose first bytes start an SMB2 message gets a {@link
 * SmbFramingReader}, which follows the messages and samples SMB3's encrypted bodies apart.
 *
 * <p>For TCP the flow table feeds it in stream order through {@link StreamSink}: the head stops at
 * the first gap (a signature is never spliced across missing bytes), and a direction whose first
 * bytes look like TLS or SSH gets a {@link FramingFollower} that checks the framing's claim of
 * encryption against the bytes it covers. A stream picked up mid-way ({@link #markMidStream}) has
 * no meaningful first bytes: it is judged on content and on TLS framing found by searching.
 *
 * <p>A segment the capture cut at its snap length ({@link #cut}) gives its framing readers all it
 * has, but the histogram only what lies past its first {@link #CUT_SEGMENT_UNSAMPLED_BYTES}: a
 * message's header sits at a segment's start more often than chance (each send starts one), so in a
 * capture of segment starts alone, headers would weigh many times their share of the stream and
 * make ciphertext look structured.
 */
public final class PayloadSample implements StreamSink {
  /** How many leading payload bytes are kept for signature matching. */
  public static final int HEAD_BYTES = 64;

  /**
   * Leading bytes of a segment cut by the snap length that are not sampled: more than the headers
   * that may start it (an SMB3 transform header with its session header is 56 bytes, a TLS record
   * header 5, an SSH packet length 4).
   */
  public static final int CUT_SEGMENT_UNSAMPLED_BYTES = 64;

  /**
   * Sampled bytes after which the rest of a sample can be judged apart from them: a clear prologue
   * (a negotiation, a configuration) before a framing the agent cannot follow.
   */
  public static final int PROLOGUE_BYTES = 16 << 10;

  private final int maxBytes;
  private final int maxBytesPerPacket;

  /** Where this direction's later windows fall ({@link ResampleWindow}). */
  private final int windowSeed;

  private final byte[] head = new byte[HEAD_BYTES];
  private int headLength;
  private final ByteHistogram histogram = new ByteHistogram();

  /** Statistics of the current sample, or null when a byte was sampled since they were computed. */
  private ByteStatistics statistics;

  /** {@link ByteStatistics#describe()} of {@link #statistics}, or null until asked. */
  private String statisticsText;

  private long sampledBytes;
  private MultifdPacketReader multifd;
  private SmbFramingReader smb;
  private long payloadSeen;
  private ResampleWindow resample;
  private FramingFollower framing;

  /** The request to a relay this direction may start with ({@link RelayRequest}), or null. */
  private RelayRequest relay;

  private boolean midStream;

  /**
   * The look for a reused keystream ({@link KeystreamReuse}) in a TCP direction, made once it
   * sampled {@link #PROLOGUE_BYTES}; {@link KeystreamReuse#NOT_LOOKED_AT} for datagrams ({@link
   * #add}: no stream offsets).
   */
  private KeystreamReuse keystream;

  /** Mid-stream bytes looked at for a TLS record header before a follower was made. */
  private int searched;

  /** A gap was reported: the head and the multifd reader stop there. */
  private boolean gapSeen;

  /** Segments of this direction the capture cut at its snap length ({@link #cut}). */
  private int cutSegments;

  /**
   * Bytes the stream did not take, judged apart; null until the first past the handshake's place.
   */
  private BehindBytes behind;

  /**
   * Counts of the sample when it first held {@link #PROLOGUE_BYTES} or more, its last element the
   * number of bytes it held then; null until then. Made once per direction that gets that far (a
   * migration's), so a clear prologue can be told from what follows it.
   */
  private int[] prologue;

  /**
   * @param maxBytes histogram budget for this direction
   * @param maxBytesPerPacket at most this many bytes of each packet go into the histogram
   */
  public PayloadSample(int maxBytes, int maxBytesPerPacket) {
    this(maxBytes, maxBytesPerPacket, 0);
  }

  /**
   * @param windowSeed picks where the later windows fall, with a secret of the process: the flow
   *     table gives each direction of a flow its own, from the flow's hash, so the same capture
   *     gives the same records in one process however the flows are split among workers
   */
  public PayloadSample(int maxBytes, int maxBytesPerPacket, int windowSeed) {
    this.maxBytes = maxBytes;
    this.maxBytesPerPacket = maxBytesPerPacket;
    this.windowSeed = windowSeed;
  }

  /**
   * Adds {@code length} payload bytes of {@code frame} starting at absolute {@code offset}, next in
   * the direction (packets without a stream order: UDP, ESP, other IP protocols).
   */
  public void add(ByteBuffer frame, int offset, int length) {
    keystream = KeystreamReuse.NOT_LOOKED_AT;
    bytes(payloadSeen, frame, offset, length);
  }

  /**
   * Adds a datagram the capture cut at its snap length: its first {@code captured} bytes of {@code
   * frame} from absolute {@code offset}, of the {@code wireLength} it carried (see {@link #cut}).
   */
  public void addCut(ByteBuffer frame, int offset, int captured, int wireLength) {
    keystream = KeystreamReuse.NOT_LOOKED_AT;
    cut(payloadSeen, frame, offset, captured, wireLength - captured);
  }

  /**
   * Adds a datagram the capture cut at its snap length whose captured bytes are all body: ESP past
   * its SPI, sequence number and IV, where no header of the sender's starts the bytes as at a
   * segment's start. Counted as cut (see {@link #cut}); {@code captured} may be 0 when the cut fell
   * inside the clear header.
   */
  public void addCutBody(ByteBuffer frame, int offset, int captured, int wireLength) {
    long at = payloadSeen;
    int kept = Math.max(0, captured);
    keystream = KeystreamReuse.NOT_LOOKED_AT;
    cutSegments++;
    bytes(at, frame, offset, kept);
    gap(at + kept, Math.max(0, wireLength - kept));
  }

  /** Marks the direction as picked up mid-stream; call before its first bytes. */
  public void markMidStream() {
    midStream = true;
  }

  /** True when the direction was picked up mid-stream (its first bytes are not its start). */
  public boolean midStream() {
    return midStream;
  }

  @Override
  public void gap(long streamOffset, long missingBytes) {
    gapSeen = true;
    if (smb != null) {
      smb.lose(); // the next message header is somewhere in the missing bytes
    }
    if (framing != null) {
      framing.gap(streamOffset, missingBytes);
    }
  }

  @Override
  public void cut(
      long streamOffset, ByteBuffer frame, int offset, int captured, long missingBytes) {
    cutSegments++;
    if (captured > 0) {
      take(streamOffset, frame, offset, captured, CUT_SEGMENT_UNSAMPLED_BYTES);
    }
    gap(streamOffset + captured, missingBytes);
  }

  @Override
  public void behind(long streamOffset, ByteBuffer frame, int offset, int length, boolean cut) {
    if (behind == null) {
      if (streamOffset + length <= BehindBytes.FROM_STREAM_OFFSET) {
        return; // the handshake's place: not judged, and no histogram made for it
      }
      behind = new BehindBytes(maxBytesPerPacket, ~windowSeed, this::framedByHeaders);
    }
    behind.add(streamOffset, frame, offset, length, cut);
  }

  /**
   * Statistics of bytes this direction's stream did not take that were readable or not uniform
   * ({@link BehindBytes}), or null.
   */
  public ByteStatistics behindFinding() {
    return behind == null ? null : behind.finding();
  }

  /** Segments of this direction the capture cut at its snap length. */
  public int cutSegments() {
    return cutSegments;
  }

  @Override
  public void bytes(long streamOffset, ByteBuffer frame, int offset, int length) {
    take(streamOffset, frame, offset, length, 0);
  }

  /**
   * Takes {@code length} bytes of the direction at {@code streamOffset}, the first {@code
   * unsampled} of them (a cut segment's) for its readers but not for its histogram.
   */
  private void take(long streamOffset, ByteBuffer frame, int offset, int length, int unsampled) {
    if (length <= 0) {
      return;
    }
    if (payloadSeen == 0 && !gapSeen) {
      start(frame.get(offset));
      if (!midStream && SmbFramingReader.startsSmb(frame, offset, length)) {
        smb = new SmbFramingReader(maxBytes);
      }
    }
    if (framing == null && midStream && searched < TlsRecordFollower.SEARCH_BYTES) {
      searched += length;
      if (TlsRecordFollower.mayHoldHeader(frame, offset, length)) {
        framing = TlsRecordFollower.searching(maxBytes, maxBytesPerPacket);
      }
    }
    if (framing != null) {
      framing.bytes(streamOffset, frame, offset, length);
    }
    if (smb != null && !gapSeen) {
      smb.add(frame, offset, length);
    }
    if (multifd != null && !gapSeen) {
      multifd.add(frame, offset, length);
    }
    if (relay != null && !gapSeen && !relay.add(frame, offset, length) && relay.failed()) {
      relay = null; // not a request to a relay: nothing of it is kept
    }
    if (!gapSeen) {
      int toHead = Math.min(length, HEAD_BYTES - headLength);
      for (int i = 0; i < toHead; i++) {
        head[headLength++] = frame.get(offset + i);
      }
    }
    payloadSeen += length;
    if (unsampled > 0) {
      if (length <= unsampled) {
        return;
      }
      offset += unsampled;
      length -= unsampled;
      streamOffset += unsampled;
    }
    long room = maxBytes - sampledBytes;
    if (room <= 0) {
      if (resample == null) {
        resample = new ResampleWindow(payloadSeen - length, windowSeed, framedByHeaders());
      }
      resample.add(frame, offset, length, maxBytesPerPacket);
      return;
    }
    int take = (int) Math.min(Math.min(length, maxBytesPerPacket), room);
    statistics = null;
    statisticsText = null;
    histogram.add(frame, offset, take);
    if (keystream != null) {
      keystream.add(streamOffset, frame, offset, take);
    }
    sampledBytes += take;
    if (prologue == null && sampledBytes >= PROLOGUE_BYTES) {
      prologue = Arrays.copyOf(histogram.counts(), 257);
      prologue[256] = (int) sampledBytes;
    }
    if (sampledBytes >= PROLOGUE_BYTES) {
      if (keystream == null) {
        keystream = new KeystreamReuse();
      }
      if (keystream.lookDue(sampledBytes)) {
        keystream.look(histogram.counts(), sampledBytes, maxBytes);
      }
    }
  }

  /**
   * True when the sample is ciphertext behind clear record headers: not uniform as a whole, but
   * uniform without its header values ({@link CiphertextBehindHeaders}), over the whole sample or
   * after a clear prologue; false while it holds too few bytes to tell. Asked when the sample is
   * full and the later windows start, and when a window of bytes the stream did not take is judged.
   */
  private boolean framedByHeaders() {
    if (sampledBytes < CiphertextBehindHeaders.MIN_BYTES) {
      return false;
    }
    ByteStatistics whole = statistics();
    if (whole.chiSquare() <= ByteStatistics.uniformChiSquareLimit()) {
      return false;
    }
    if (CiphertextBehindHeaders.of(whole.n(), histogram.counts()) != null) {
      return true;
    }
    long n = sampledAfterPrologue();
    return n >= CiphertextBehindHeaders.MIN_BYTES
        && CiphertextBehindHeaders.of(n, countsAfterPrologue()) != null;
  }

  /** Sampled bytes after the prologue ({@link #PROLOGUE_BYTES}); 0 until it was taken. */
  public long sampledAfterPrologue() {
    return prologue == null ? 0 : sampledBytes - prologue[256];
  }

  /** Counts of the sampled bytes after the prologue, a copy; null until it was taken. */
  public int[] countsAfterPrologue() {
    if (prologue == null) {
      return null;
    }
    int[] after = histogram.counts();
    for (int b = 0; b < after.length; b++) {
      after[b] -= prologue[b];
    }
    return after;
  }

  /** Readers the first byte of the direction calls for: multifd, TLS or SSH framing followers. */
  private void start(byte first) {
    int b = Byte.toUnsignedInt(first);
    if (midStream) {
      return; // no start to read: a TLS follower comes when a record header may be in sight
    }
    if (b == MultifdPacketReader.MAGIC >>> 24) {
      multifd = new MultifdPacketReader();
    } else if (TlsRecordFollower.mayStartRecord(b)) {
      framing = TlsRecordFollower.atStart(maxBytes, maxBytesPerPacket);
    } else if (b == 'S') {
      framing = new SshPacketFollower(maxBytes, maxBytesPerPacket);
    } else {
      relay = RelayRequest.startingWith(b);
    }
  }

  /**
   * The migration stream this direction carries behind a request to a relay (HTTP CONNECT, SOCKS),
   * else {@link Signature#NONE}.
   */
  public Signature relayedOpening() {
    return relay == null ? Signature.NONE : relay.opened();
  }

  /** What the request to the relay was ("an HTTP CONNECT request"), or null without one. */
  public String relayRequest() {
    RelayRequest.Kind kind = relay == null ? null : relay.relayed();
    return kind == null ? null : kind.text();
  }

  /**
   * Whether the framing behind {@code signature} held over this direction and its encrypted bytes
   * look encrypted; a signature with no follower of its framing here does not agree.
   */
  public FramingCheck framingCheck(Signature signature) {
    if (framing != null && framing.signature() == signature) {
      return framing.check();
    }
    return FramingCheck.disagreed(
        "no " + signature.wire() + " framing could be followed in the stream");
  }

  /**
   * True when a TLS record chain was found in this direction (how a mid-stream TLS flow is told).
   */
  public boolean tlsFramingFound() {
    return framing instanceof TlsRecordFollower && framing.recognised();
  }

  /** {@link #statistics()} as text for verdict reasons, also made once per change of the sample. */
  public String statisticsText() {
    if (statisticsText == null) {
      statisticsText = statistics().describe();
    }
    return statisticsText;
  }

  /** Statistics of the sampled bytes, computed once per change of the sample. */
  public ByteStatistics statistics() {
    if (statistics == null) {
      statistics = ByteStatistics.of(this);
    }
    return statistics;
  }

  public long sampledBytes() {
    return sampledBytes;
  }

  /**
   * True when the histogram holds its whole budget: later bytes go only to the re-sample window.
   */
  public boolean full() {
    return sampledBytes >= maxBytes;
  }

  public int headLength() {
    return headLength;
  }

  /** Unsigned value of head byte {@code i} (i &lt; headLength()). */
  public int headByte(int i) {
    return Byte.toUnsignedInt(head[i]);
  }

  /**
   * The compression QEMU multifd packet headers declare, if this direction is a multifd channel.
   */
  public MultifdCompression multifdCompression() {
    return multifd == null ? MultifdCompression.UNDECIDED : multifd.compression();
  }

  /**
   * The SMB message framing of this direction, or null when it did not start with an SMB2 message.
   */
  SmbFramingReader smbFraming() {
    return smb;
  }

  /**
   * The period of a keystream this direction reused ({@link KeystreamReuse}), which encryption
   * never does; null when none was found.
   */
  KeystreamReuse.Period reusedKeystream() {
    return keystream == null ? null : keystream.period();
  }

  /** Payload offset at which a later window of this direction was readable, or -1. */
  public long readableLaterAt() {
    return resample == null ? -1 : resample.readableAt();
  }

  /** Entropy of that readable window, bits per byte. */
  public double readableLaterEntropy() {
    return resample == null ? 0 : resample.readableEntropy();
  }

  /** Payload bytes this direction carried (sampled or not). */
  public long payloadSeen() {
    return payloadSeen;
  }

  /**
   * Payload offset at which a later window of this direction was not uniform, though not readable:
   * compressed-looking bytes after the first sample; or -1.
   */
  public long notUniformLaterAt() {
    return resample == null ? -1 : resample.notUniformAt();
  }

  /** Statistics of that window, or null. */
  public ByteStatistics notUniformLaterStatistics() {
    return resample == null ? null : resample.notUniformStatistics();
  }

  /** Occurrences of byte value {@code b} in the sample. */
  public int count(int b) {
    return histogram.count(b);
  }

  /** Occurrences of every byte value, indexed by value: a copy the caller may keep. */
  public int[] counts() {
    return histogram.counts();
  }

  /**
   * The sampled bytes while few enough to be kept as they are; see {@link ByteHistogram#rawBytes}.
   */
  byte[] rawBytes() {
    return histogram.rawBytes();
  }

  /** The counts without a copy where possible; see {@link ByteHistogram#countsView}. */
  int[] countsView(int[] scratch) {
    return histogram.countsView(scratch);
  }

  /** Zeroes what {@link #countsView} put into {@code scratch}. */
  void clearScratch(int[] scratch) {
    histogram.clearScratch(scratch);
  }
}
