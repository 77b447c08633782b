package io.migaudit.agent.handshake;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the versions a TLS ClientHello offers (RFC 8446 §4.1.2): its {@code supported_versions}
 * extension (§4.2.1) when present, else its legacy_version alone (RFC 5246: the highest the client
 * speaks). Stateless; fed the client's stream bytes from the first record on.
 */
public final class TlsClientHelloDecoder {
  static final int CLIENT_HELLO = 1;

  /** legacy_version(2) random(32). */
  static final int VERSION_AND_RANDOM_LENGTH = 2 + 32;

  /** RFC 8446 §4.2: extension type 43. */
  static final int EXTENSION_SUPPORTED_VERSIONS = 43;

  static final int MAX_VERSIONS = 16;

  private TlsClientHelloDecoder() {}

  /**
   * What the ClientHello offered.
   *
   * @param offeredVersions version names, GREASE left out; empty unless {@code issue} is null
   * @param issue why none were read; null on success
   */
  public record Result(List<String> offeredVersions, HandshakeIssue issue) {
    static Result failed(HandshakeIssue issue) {
      return new Result(List.of(), issue);
    }
  }

  public static Result decode(ByteBuffer clientStream) {
    TlsHandshakeMessages.Joined joined = TlsHandshakeMessages.join(clientStream);
    ByteBuffer m = joined.bytes();
    if (joined.issue() != null && m.limit() == 0) {
      return Result.failed(joined.issue());
    }
    int length = TlsHandshakeMessages.messageLength(m, 0);
    if (length < 0) {
      return Result.failed(
          joined.ended() ? HandshakeIssue.TLS_BAD_LENGTH : HandshakeIssue.NEED_MORE);
    }
    if (Byte.toUnsignedInt(m.get(0)) != CLIENT_HELLO) {
      return Result.failed(HandshakeIssue.TLS_UNEXPECTED_MESSAGE);
    }
    if (length > TlsHandshakeMessages.MAX_BYTES - TlsHandshakeMessages.MESSAGE_HEADER_LENGTH) {
      return Result.failed(HandshakeIssue.TLS_MESSAGE_TOO_LONG);
    }
    if (m.limit() - TlsHandshakeMessages.MESSAGE_HEADER_LENGTH < length) {
      return Result.failed(
          joined.ended() ? HandshakeIssue.TLS_BAD_LENGTH : HandshakeIssue.NEED_MORE);
    }
    return body(m.slice(TlsHandshakeMessages.MESSAGE_HEADER_LENGTH, length));
  }

  private static Result body(ByteBuffer b) {
    FieldReader r = new FieldReader(b);
    int legacy = r.u16();
    r.skip(VERSION_AND_RANDOM_LENGTH - 2);
    r.skip(r.u8()); // session id
    r.skip(r.u16()); // cipher suites
    r.skip(r.u8()); // compression methods
    if (r.failed()) {
      return Result.failed(HandshakeIssue.TLS_BAD_LENGTH);
    }
    List<String> versions = new ArrayList<>();
    if (r.remaining() > 0) {
      ByteBuffer ext = r.vector16();
      ByteBuffer supported = TlsExtensions.find(ext, EXTENSION_SUPPORTED_VERSIONS);
      if (r.failed() || supported == TlsExtensions.MALFORMED) {
        return Result.failed(HandshakeIssue.TLS_BAD_LENGTH);
      }
      if (supported != null) {
        FieldReader s = new FieldReader(supported);
        ByteBuffer list = s.vector8();
        for (int at = 0; at + 1 < list.limit() && versions.size() < MAX_VERSIONS; at += 2) {
          int v = Short.toUnsignedInt(list.getShort(at));
          if (!TlsNames.grease(v)) {
            versions.add(TlsNames.version(v));
          }
        }
        if (s.failed()) {
          return Result.failed(HandshakeIssue.TLS_BAD_LENGTH);
        }
      }
    }
    if (versions.isEmpty()) {
      versions.add(TlsNames.version(legacy));
    }
    return new Result(versions, null);
  }
}
