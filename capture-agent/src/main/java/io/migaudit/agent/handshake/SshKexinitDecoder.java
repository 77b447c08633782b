package io.migaudit.agent.handshake;

import io.migaudit.record.SshKexinit;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the SSH_MSG_KEXINIT one side sends after its identification string (RFC 4253 §4.2, §6,
 * §7.1). Fed that side's stream bytes from the first byte; stateless. A server may send other lines
 * before its {@code SSH-} line (§4.2); they are skipped.
 */
public final class SshKexinitDecoder {
  static final byte[] IDENTIFICATION_PREFIX = "SSH-".getBytes(StandardCharsets.US_ASCII);

  /** RFC 4253 §4.2: the identification line is at most 255 characters with CR LF. */
  static final int MAX_LINE_LENGTH = 255;

  /** Lines before the identification a reader accepts (the RFC sets no bound). */
  static final int MAX_PRE_LINES = 16;

  /** packet_length(4) padding_length(1). */
  static final int PACKET_HEADER_LENGTH = 5;

  /** RFC 4253 §6.1: implementations must handle packets of 35000 bytes; KEXINIT is far smaller. */
  static final int MAX_PACKET_LENGTH = 35000;

  /** RFC 4253 §12: SSH_MSG_KEXINIT. */
  static final int MSG_KEXINIT = 20;

  static final int COOKIE_LENGTH = 16;

  /** The ten name-lists of KEXINIT, of which the first six are recorded. */
  static final int NAME_LISTS = 10;

  static final int RECORDED_NAME_LISTS = 6;

  private SshKexinitDecoder() {}

  /**
   * One side's KEXINIT.
   *
   * @param kexinit the name-lists, null when {@code issue} is set
   * @param issue null on success
   */
  public record Result(SshKexinit kexinit, HandshakeIssue issue) {}

  public static Result decode(ByteBuffer stream) {
    int at = stream.position();
    int end = stream.limit();
    for (int line = 0; ; line++) {
      int eol = lineEnd(stream, at, end);
      if (eol < 0) {
        return new Result(
            null,
            end - at > MAX_LINE_LENGTH
                ? HandshakeIssue.SSH_BANNER_TOO_LONG
                : startsWith(stream, at, end) || line > 0 || end - at < IDENTIFICATION_PREFIX.length
                    ? HandshakeIssue.NEED_MORE
                    : HandshakeIssue.NOT_THIS_PROTOCOL);
      }
      boolean identification = startsWith(stream, at, end);
      at = eol + 1;
      if (identification) {
        break;
      }
      if (line + 1 >= MAX_PRE_LINES) {
        return new Result(null, HandshakeIssue.NOT_THIS_PROTOCOL);
      }
    }
    return packet(stream.slice(at, end - at));
  }

  private static int lineEnd(ByteBuffer s, int from, int end) {
    int last = Math.min(end, from + MAX_LINE_LENGTH);
    for (int i = from; i < last; i++) {
      if (s.get(i) == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static boolean startsWith(ByteBuffer s, int at, int end) {
    int n = Math.min(IDENTIFICATION_PREFIX.length, end - at);
    for (int i = 0; i < n; i++) {
      if (s.get(at + i) != IDENTIFICATION_PREFIX[i]) {
        return false;
      }
    }
    return n == IDENTIFICATION_PREFIX.length || n == end - at;
  }

  private static Result packet(ByteBuffer b) {
    if (b.limit() < PACKET_HEADER_LENGTH) {
      return new Result(null, HandshakeIssue.NEED_MORE);
    }
    long packetLength = Integer.toUnsignedLong(b.getInt(0));
    int padding = Byte.toUnsignedInt(b.get(4));
    if (packetLength > MAX_PACKET_LENGTH || padding + 1 > packetLength) {
      return new Result(null, HandshakeIssue.SSH_BAD_PACKET_LENGTH);
    }
    if (b.limit() - Integer.BYTES < packetLength) {
      return new Result(null, HandshakeIssue.NEED_MORE);
    }
    FieldReader r =
        new FieldReader(b.slice(PACKET_HEADER_LENGTH, (int) packetLength - padding - 1));
    if (r.u8() != MSG_KEXINIT) {
      return new Result(null, HandshakeIssue.SSH_NOT_KEXINIT);
    }
    r.skip(COOKIE_LENGTH);
    List<List<String>> lists = new ArrayList<>(RECORDED_NAME_LISTS);
    for (int i = 0; i < NAME_LISTS; i++) {
      long length = r.u32();
      if (length > r.remaining()) {
        return new Result(null, HandshakeIssue.SSH_BAD_NAME_LIST);
      }
      ByteBuffer names = r.slice((int) length);
      if (i < RECORDED_NAME_LISTS) {
        List<String> parsed = names(names);
        if (parsed == null) {
          return new Result(null, HandshakeIssue.SSH_BAD_NAME_LIST);
        }
        lists.add(parsed);
      }
    }
    if (r.failed()) {
      return new Result(null, HandshakeIssue.SSH_BAD_NAME_LIST);
    }
    return new Result(
        new SshKexinit(
            lists.get(0), lists.get(1), lists.get(2), lists.get(3), lists.get(4), lists.get(5)),
        null);
  }

  /**
   * RFC 4251 §5: a name-list is comma-separated US-ASCII names, none empty. Null when it is not
   * one; names beyond the record's bounds are left out, over-long ones cut.
   */
  static List<String> names(ByteBuffer b) {
    List<String> names = new ArrayList<>();
    if (b.limit() == 0) {
      return names;
    }
    int start = 0;
    for (int i = 0; i <= b.limit(); i++) {
      if (i < b.limit() && b.get(i) != ',') {
        int c = Byte.toUnsignedInt(b.get(i));
        if (c <= 0x20 || c >= 0x7F) {
          return null;
        }
        continue;
      }
      if (i == start) {
        return null; // an empty name
      }
      if (names.size() < SshKexinit.MAX_NAMES) {
        int n = Math.min(i - start, SshKexinit.MAX_NAME_LENGTH);
        byte[] name = new byte[n];
        b.get(start, name);
        names.add(new String(name, StandardCharsets.US_ASCII));
      }
      start = i + 1;
    }
    return names;
  }
}
