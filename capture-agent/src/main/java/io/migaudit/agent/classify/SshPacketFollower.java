package io.migaudit.agent.classify;

import io.migaudit.record.Signature;
import java.nio.ByteBuffer;

/**
 * Follows one direction of SSH (RFC 4253): the identification line, then binary packets in clear
 * (uint32 packet_length, byte padding_length, payload starting with the message number, padding)
 * through the key exchange, up to the end of SSH_MSG_NEWKEYS; only the bytes after it are
 * encrypted, and they must look uniform. A banner followed by anything that does not parse as
 * key-exchange packets breaks the framing, and a "key exchange" that carries more than {@link
 * #MAX_KEX_BYTES} without NEWKEYS is not one (SSH_MSG_IGNORE packets can carry anything in clear).
 */
final class SshPacketFollower implements FramingFollower {
  /** RFC 4253 4.2: the identification line, CR LF included, is at most 255 bytes. */
  static final int MAX_LINE_BYTES = 255;

  /** RFC 4253 6: packet_length (4) and padding_length (1), then the message number. */
  private static final int HEADER_BYTES = 6;

  /**
   * RFC 4253 6: a packet (with its length field) is at least 16 bytes, a multiple of 8 in clear.
   */
  private static final int MIN_PACKET_BYTES = 16;

  private static final int CLEAR_BLOCK = 8;
  private static final int MIN_PADDING = 4;

  /** OpenSSH's PACKET_MAX_SIZE (256 KiB); RFC 4253 6.1 requires at least 35000. */
  private static final int MAX_PACKET_LENGTH = 256 * 1024;

  /** RFC 4250 4.1.2: transport generic 1-19, algorithm negotiation 20-29, key exchange 30-49. */
  private static final int LAST_KEX_MESSAGE = 49;

  private static final int MSG_NEWKEYS = 21;

  /** Key exchanges are a few KiB (post-quantum ones under 10); more in clear is not one. */
  static final long MAX_KEX_BYTES = 64 << 10;

  private enum State {
    BANNER,
    PACKETS,
    ENCRYPTED,
    BROKEN
  }

  private final BodySample body;
  private State state = State.BANNER;
  private final byte[] header = new byte[HEADER_BYTES];
  private int headerFill;
  private long nextPacketAt;
  private long encryptedFrom;
  private long packets;
  private long seen;
  private String broke;

  /** The framing broke at bytes the capture missed, not at bytes that were not SSH. */
  private boolean lostAtGap;

  SshPacketFollower(long bodyBudget, int bodyPerChunk) {
    this.body = new BodySample(bodyBudget, bodyPerChunk);
  }

  @Override
  public Signature signature() {
    return Signature.SSH;
  }

  @Override
  public boolean recognised() {
    return state != State.BANNER && state != State.BROKEN;
  }

  @Override
  public void bytes(long streamOffset, ByteBuffer frame, int offset, int length) {
    seen = streamOffset + length;
    int i = 0;
    while (i < length && state != State.BROKEN) {
      long pos = streamOffset + i;
      switch (state) {
        case BANNER -> i = banner(pos, frame, offset, length, i);
        case PACKETS -> {
          if (pos < nextPacketAt) {
            i += (int) Math.min(length - i, nextPacketAt - pos);
          } else {
            header[headerFill++] = frame.get(offset + i++);
            if (headerFill == HEADER_BYTES) {
              headerFill = 0;
              packet(pos + 1 - HEADER_BYTES);
            }
          }
        }
        case ENCRYPTED -> {
          int skip = (int) Math.max(0, Math.min(length - i, encryptedFrom - pos));
          i += skip;
          body.add(frame, offset + i, length - i);
          i = length;
        }
        default -> i = length;
      }
    }
  }

  private int banner(long pos, ByteBuffer frame, int offset, int length, int i) {
    for (int j = i; j < length; j++) {
      if (frame.get(offset + j) == '\n') {
        state = State.PACKETS;
        nextPacketAt = pos + (j - i) + 1;
        return j + 1;
      }
    }
    if (pos + (length - i) > MAX_LINE_BYTES) {
      fail(pos, "the ssh identification line runs past 255 bytes");
    }
    return length;
  }

  /** The 6 header bytes of a packet starting at {@code start} were read. */
  private void packet(long start) {
    long length =
        Integer.toUnsignedLong(
            ((header[0] & 0xFF) << 24)
                | ((header[1] & 0xFF) << 16)
                | ((header[2] & 0xFF) << 8)
                | (header[3] & 0xFF));
    int padding = header[4] & 0xFF;
    int message = header[5] & 0xFF;
    long total = length + 4;
    if (length > MAX_PACKET_LENGTH
        || total < MIN_PACKET_BYTES
        || total % CLEAR_BLOCK != 0
        || padding < MIN_PADDING
        || padding > length - 2
        || message == 0
        || message > LAST_KEX_MESSAGE) {
      fail(start, "no ssh key-exchange packet where the previous one ended");
      return;
    }
    packets++;
    nextPacketAt = start + total;
    if (message == MSG_NEWKEYS) {
      state = State.ENCRYPTED;
      encryptedFrom = nextPacketAt;
    } else if (nextPacketAt > MAX_KEX_BYTES) {
      fail(
          start,
          "more than " + (MAX_KEX_BYTES >> 10) + " KiB of ssh packets in clear without NEWKEYS");
    }
  }

  private void fail(long at, String why) {
    state = State.BROKEN;
    broke = why + " (stream byte " + at + ")";
  }

  @Override
  public void gap(long streamOffset, long missingBytes) {
    if (state == State.BANNER || state == State.PACKETS) {
      // the key exchange cannot be followed across lost bytes: judge what comes after on content
      fail(streamOffset, "bytes of the ssh key exchange were not seen");
      lostAtGap = true;
      broke =
          "bytes of the ssh key exchange were not seen (gap at stream byte " + streamOffset + ")";
    }
  }

  @Override
  public FramingCheck check() {
    return switch (state) {
      case BROKEN -> lostAtGap ? FramingCheck.notFollowed(broke) : FramingCheck.disagreed(broke);
      case BANNER, PACKETS ->
          seen > MAX_KEX_BYTES
              ? FramingCheck.disagreed("no ssh NEWKEYS in " + seen + " bytes")
              : FramingCheck.tooFewToJudge(
                  "ssh key exchange in progress (" + packets + " packets)");
      case ENCRYPTED -> body.check("bytes after it", "ssh NEWKEYS after " + packets + " packets");
    };
  }
}
