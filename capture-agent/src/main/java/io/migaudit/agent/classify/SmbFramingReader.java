package io.migaudit.agent.classify;

import java.nio.ByteBuffer;

/**
 * Follows one direction of an SMB2/3 connection over TCP 445 message by message (docs/PROTOCOLS.md,
 * "Framing to follow"): each message is a 4-byte session header (MS-SMB2 2.1: a zero byte, then a
 * 24-bit big-endian length) and an SMB2 message, a plain SMB2 header ({@code FE 'SMB'}, MS-SMB2
 * 2.2.1, command at offset 12), a transform header ({@code FD 'SMB'}, 2.2.41: 52 bytes, then the
 * ciphertext) or a compression transform ({@code FC 'SMB'}, 2.2.42). It counts the messages sent in
 * clear during negotiate and session setup, those sent in clear after it, and the transformed ones,
 * and keeps a histogram of the encrypted bodies alone, so that an encrypted session is judged by
 * its ciphertext and not by the clear handshake and the headers that frame it.
 *
 * <p>Payload must arrive in stream order. A length or protocol id that is not SMB's means the
 * reader lost its place (a capture starting mid-stream, a gap): it stops and says so ({@link
 * #lost()}), and the verdict falls back to the statistics of the whole sample.
 */
final class SmbFramingReader {
  /** MS-SMB2 2.1: the Direct TCP transport header, a zero byte and a 24-bit length. */
  static final int SESSION_HEADER_BYTES = 4;

  /**
   * MS-SMB2 2.2.41: ProtocolId, Signature, Nonce, OriginalMessageSize, Reserved, Flags, SessionId.
   */
  static final int TRANSFORM_HEADER_BYTES = 52;

  /** MS-SMB2 2.2.1: the SMB2 header's StructureSize. */
  static final int SMB2_HEADER_BYTES = 64;

  /** MS-SMB2 2.2.1: offset of the 16-bit Command in the SMB2 header. */
  static final int COMMAND_AT = 12;

  static final int PROTOCOL_SMB2 = 0xFE;
  static final int PROTOCOL_TRANSFORM = 0xFD;
  static final int PROTOCOL_COMPRESSION = 0xFC;
  static final int COMMAND_NEGOTIATE = 0x0000;
  static final int COMMAND_SESSION_SETUP = 0x0001;

  /** The smallest message: a transform header without ciphertext. */
  private static final int MIN_MESSAGE_BYTES = TRANSFORM_HEADER_BYTES;

  /**
   * What the reader keeps of each message's start: the session header and 16 bytes of the message.
   */
  private static final int HEAD_BYTES = SESSION_HEADER_BYTES + 16;

  private final byte[] head = new byte[HEAD_BYTES];
  private final ByteHistogram bodies = new ByteHistogram();

  /** Bodies of the messages sent in clear after session setup: what an encrypted session leaked. */
  private final ByteHistogram clearBodies = new ByteHistogram();

  /** The histogram the current message's body goes to. */
  private ByteHistogram current;

  private final int maxBodyBytes;
  private int filled;
  private long position;

  /** Stream offsets of the current message's start and end, and of its encrypted body (or -1). */
  private long messageAt;

  private long messageEnd;
  private long bodyAt = -1;
  private boolean lost;
  private long setupInClear;
  private long otherInClear;
  private long transformed;
  private long compressed;

  /**
   * @param maxBodyBytes at most this many encrypted-body bytes go into the histogram
   */
  SmbFramingReader(int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /**
   * True when a direction's first payload bytes start an SMB2 message: the reader is worth making.
   */
  static boolean startsSmb(ByteBuffer frame, int offset, int length) {
    if (length < SESSION_HEADER_BYTES + 4 || frame.get(offset) != 0) {
      return false;
    }
    int id = Byte.toUnsignedInt(frame.get(offset + SESSION_HEADER_BYTES));
    return id >= PROTOCOL_COMPRESSION
        && id <= PROTOCOL_SMB2
        && frame.get(offset + 5) == 'S'
        && frame.get(offset + 6) == 'M'
        && frame.get(offset + 7) == 'B';
  }

  /**
   * Feeds the next {@code length} bytes of the direction, at absolute {@code offset} of {@code
   * frame}.
   */
  void add(ByteBuffer frame, int offset, int length) {
    long start = position;
    position += length;
    int i = 0;
    while (!lost && i < length) {
      long at = start + i;
      if (at >= messageEnd) {
        messageAt = messageEnd;
        messageEnd = Long.MAX_VALUE; // until this message's header is read
        filled = 0;
        bodyAt = -1;
      }
      if (filled < HEAD_BYTES) {
        int take = Math.min(HEAD_BYTES - filled, length - i);
        frame.get(offset + i, head, filled, take);
        filled += take;
        i += take;
        if (filled == HEAD_BYTES) {
          readHead();
        }
        continue;
      }
      int inMessage = (int) Math.min(length - i, messageEnd - at);
      if (bodyAt >= 0 && at + inMessage > bodyAt) {
        long from = Math.max(at, bodyAt);
        sampleBody(frame, offset + i + (int) (from - at), (int) (at + inMessage - from));
      }
      i += inMessage;
    }
  }

  private void readHead() {
    int length = (u8(1) << 16) | (u8(2) << 8) | u8(3);
    int id = u8(SESSION_HEADER_BYTES);
    boolean smb = u8(0) == 0 && u8(5) == 'S' && u8(6) == 'M' && u8(7) == 'B';
    if (!smb || length < MIN_MESSAGE_BYTES || id < PROTOCOL_COMPRESSION || id > PROTOCOL_SMB2) {
      lost = true;
      return;
    }
    messageEnd = messageAt + SESSION_HEADER_BYTES + length;
    switch (id) {
      case PROTOCOL_TRANSFORM -> {
        transformed++;
        bodyAt = messageAt + SESSION_HEADER_BYTES + TRANSFORM_HEADER_BYTES;
        current = bodies;
      }
      case PROTOCOL_COMPRESSION -> compressed++;
      default -> {
        int command =
            u8(SESSION_HEADER_BYTES + COMMAND_AT)
                | (u8(SESSION_HEADER_BYTES + COMMAND_AT + 1) << 8);
        boolean setup = command == COMMAND_NEGOTIATE || command == COMMAND_SESSION_SETUP;
        if (setup && otherInClear == 0 && transformed == 0) {
          setupInClear++;
        } else {
          otherInClear++;
          bodyAt = messageAt + SESSION_HEADER_BYTES + SMB2_HEADER_BYTES;
          current = clearBodies;
        }
      }
    }
  }

  private void sampleBody(ByteBuffer frame, int offset, int length) {
    int take = Math.min(length, maxBodyBytes - current.total());
    if (take > 0) {
      current.add(frame, offset, take);
    }
  }

  private int u8(int at) {
    return Byte.toUnsignedInt(head[at]);
  }

  /** Stops following: bytes of the stream are missing, so the next header cannot be found. */
  void lose() {
    lost = true;
  }

  /**
   * True once a length or protocol id was not SMB's, or bytes went missing: the counts stop there.
   */
  boolean lost() {
    return lost;
  }

  /** Messages sent in clear as negotiate or session setup before any other message. */
  long setupInClear() {
    return setupInClear;
  }

  /** Messages sent in clear after session setup (or any clear message after a transformed one). */
  long otherInClear() {
    return otherInClear;
  }

  /** Messages behind a transform header (encrypted). */
  long transformed() {
    return transformed;
  }

  /** Messages behind a compression transform header. */
  long compressed() {
    return compressed;
  }

  /** Statistics of the encrypted bodies sampled so far. */
  ByteStatistics bodyStatistics() {
    return ByteStatistics.ofCounts(bodies.total(), bodies.counts());
  }

  /** Statistics of the bodies of messages sent in clear after session setup. */
  ByteStatistics clearBodyStatistics() {
    return ByteStatistics.ofCounts(clearBodies.total(), clearBodies.counts());
  }
}
