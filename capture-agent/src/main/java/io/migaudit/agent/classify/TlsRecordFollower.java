package io.migaudit.agent.classify;

import io.migaudit.record.Signature;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Follows TLS record framing through one direction (RFC 8446 section 5.1, RFC 5246 section 6.2):
 * each 5-byte header (content type 0x14-0x18, legacy version 0x0301-0x0304, length at most 2^14 +
 * 2048) must sit exactly where the previous record ended, and the bodies of application-data
 * records (AEAD ciphertext) must look uniform. A header that is not one where the chain says one
 * must be breaks the chain: the first bytes only looked like TLS (an injected record header in
 * front of a cleartext stream, for instance). A stream picked up mid-way, or after a gap the chain
 * cannot skip, is searched for the chain: a header whose successor sits at offset + 5 + length,
 * {@link #CHAIN_TO_SYNC} times in a row.
 */
final class TlsRecordFollower implements FramingFollower {
  static final int HEADER_BYTES = 5;
  private static final int FIRST_CONTENT_TYPE = 0x14;
  private static final int LAST_CONTENT_TYPE = 0x18;
  private static final int APPLICATION_DATA = 0x17;
  private static final int MAJOR_VERSION = 0x03;
  private static final int MIN_MINOR_VERSION = 0x01;
  private static final int MAX_MINOR_VERSION = 0x04;

  /** RFC 5246 6.2.3: TLSCiphertext.length is at most 2^14 + 2048. */
  static final int MAX_RECORD_LENGTH = (1 << 14) + 2048;

  /**
   * Headers in a row, each where the previous record ended, that establish the chain mid-stream.
   */
  static final int CHAIN_TO_SYNC = 3;

  /** Stream bytes searched for the chain after each loss of it; then the search gives up. */
  static final long SEARCH_BYTES = 256 << 10;

  /** Losses of the chain (gaps) after which the follower stops searching. */
  private static final int MAX_SEARCHES = 16;

  private static final int CANDIDATES = 8;

  private final BodySample body;
  private final byte[] header = new byte[HEADER_BYTES];
  private int headerFill;
  private boolean synced;
  private long nextHeaderAt;
  private int bodyType;
  private long records;
  private String broke;
  private long[] candidateNext;
  private int[] candidateRun;
  private int candidateCursor;
  private long searched;
  private int searches;

  private TlsRecordFollower(long bodyBudget, int bodyPerChunk, boolean synced) {
    this.body = new BodySample(bodyBudget, bodyPerChunk);
    this.synced = synced;
  }

  /** A follower whose first header is the stream's first byte. */
  static TlsRecordFollower atStart(long bodyBudget, int bodyPerChunk) {
    return new TlsRecordFollower(bodyBudget, bodyPerChunk, true);
  }

  /** A follower that first searches for the chain (a stream picked up mid-way). */
  static TlsRecordFollower searching(long bodyBudget, int bodyPerChunk) {
    return new TlsRecordFollower(bodyBudget, bodyPerChunk, false);
  }

  /** True when this byte may start a TLS record: worth a follower at the start of a stream. */
  static boolean mayStartRecord(int firstByte) {
    return firstByte >= FIRST_CONTENT_TYPE && firstByte <= LAST_CONTENT_TYPE;
  }

  /**
   * True when the chunk holds something shaped like a record header (content type, version): worth
   * a searching follower for a stream picked up mid-way. Costs a byte compare per byte; no follower
   * (and no memory) for the many mid-stream flows that show none.
   */
  static boolean mayHoldHeader(ByteBuffer frame, int offset, int length) {
    for (int j = 0; j + HEADER_BYTES <= length; j++) {
      int type = Byte.toUnsignedInt(frame.get(offset + j));
      if (type >= FIRST_CONTENT_TYPE
          && type <= LAST_CONTENT_TYPE
          && frame.get(offset + j + 1) == MAJOR_VERSION) {
        int minor = Byte.toUnsignedInt(frame.get(offset + j + 2));
        if (minor >= MIN_MINOR_VERSION && minor <= MAX_MINOR_VERSION) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public Signature signature() {
    return Signature.TLS;
  }

  @Override
  public boolean recognised() {
    return records > 0 && broke == null;
  }

  @Override
  public void bytes(long streamOffset, ByteBuffer frame, int offset, int length) {
    int i = 0;
    while (i < length && broke == null) {
      if (!synced) {
        i = search(streamOffset, frame, offset, length, i);
        continue;
      }
      long pos = streamOffset + i;
      if (pos < nextHeaderAt) {
        int n = (int) Math.min(length - i, nextHeaderAt - pos);
        if (bodyType == APPLICATION_DATA) {
          body.add(frame, offset + i, n);
        }
        i += n;
      } else {
        header[headerFill++] = frame.get(offset + i++);
        if (headerFill == HEADER_BYTES) {
          headerFill = 0;
          chain(streamOffset + i);
        }
      }
    }
  }

  /** The header just read ends at {@code end}: it continues the chain or breaks it. */
  private void chain(long end) {
    int type = Byte.toUnsignedInt(header[0]);
    int length = (Byte.toUnsignedInt(header[3]) << 8) | Byte.toUnsignedInt(header[4]);
    if (!isHeader(type, Byte.toUnsignedInt(header[1]), Byte.toUnsignedInt(header[2]), length)) {
      broke =
          "the tls record chain broke at stream byte "
              + (end - HEADER_BYTES)
              + " after "
              + records
              + (records == 1 ? " record" : " records");
      return;
    }
    records++;
    bodyType = type;
    nextHeaderAt = end + length;
  }

  private static boolean isHeader(int type, int major, int minor, int length) {
    return type >= FIRST_CONTENT_TYPE
        && type <= LAST_CONTENT_TYPE
        && major == MAJOR_VERSION
        && minor >= MIN_MINOR_VERSION
        && minor <= MAX_MINOR_VERSION
        && length > 0
        && length <= MAX_RECORD_LENGTH;
  }

  /**
   * Searches the chunk from {@code i} for the chain; returns where to go on (past a header once
   * found).
   */
  private int search(long streamOffset, ByteBuffer frame, int offset, int length, int i) {
    if (searches >= MAX_SEARCHES || searched >= SEARCH_BYTES) {
      return length;
    }
    if (candidateNext == null) {
      candidateNext = new long[CANDIDATES];
      candidateRun = new int[CANDIDATES];
    }
    searched += length - i;
    for (int j = i; j + HEADER_BYTES <= length; j++) {
      int type = Byte.toUnsignedInt(frame.get(offset + j));
      if (type < FIRST_CONTENT_TYPE || type > LAST_CONTENT_TYPE) {
        continue;
      }
      int len = Short.toUnsignedInt(frame.getShort(offset + j + 3));
      if (!isHeader(
          type,
          Byte.toUnsignedInt(frame.get(offset + j + 1)),
          Byte.toUnsignedInt(frame.get(offset + j + 2)),
          len)) {
        continue;
      }
      long at = streamOffset + j;
      long next = at + HEADER_BYTES + len;
      if (candidate(at, next) >= CHAIN_TO_SYNC) {
        synced = true;
        records += CHAIN_TO_SYNC;
        bodyType = type;
        nextHeaderAt = next;
        return j + HEADER_BYTES;
      }
    }
    return length;
  }

  /** Records a header at {@code at}; returns how many chained headers end with it. */
  private int candidate(long at, long next) {
    for (int k = 0; k < CANDIDATES; k++) {
      if (candidateNext[k] == at && candidateRun[k] > 0) {
        candidateNext[k] = next;
        return ++candidateRun[k];
      }
    }
    candidateNext[candidateCursor] = next;
    candidateRun[candidateCursor] = 1;
    candidateCursor = (candidateCursor + 1) % CANDIDATES;
    return 1;
  }

  @Override
  public void gap(long streamOffset, long missingBytes) {
    if (!synced) {
      return;
    }
    boolean insideBody =
        missingBytes >= 0 && headerFill == 0 && streamOffset + missingBytes <= nextHeaderAt;
    if (!insideBody) {
      synced = false; // the next header is somewhere in the gap: search again, never splice
      headerFill = 0;
      searched = 0;
      searches++;
      if (candidateRun != null) {
        Arrays.fill(candidateRun, 0);
      }
    }
  }

  @Override
  public FramingCheck check() {
    if (broke != null) {
      return FramingCheck.disagreed(broke);
    }
    if (records == 0) {
      return FramingCheck.disagreed("no tls record chain was found in the stream");
    }
    return body.check("tls application-data bodies", records + " tls records chained");
  }
}
