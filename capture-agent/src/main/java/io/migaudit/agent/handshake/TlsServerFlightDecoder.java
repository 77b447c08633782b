package io.migaudit.agent.handshake;

import io.migaudit.record.TlsCertificate;
import io.migaudit.record.TlsHandshake;
import java.nio.ByteBuffer;

/**
 * Reads a TLS server's first flight from its stream bytes: the ServerHello's version (its {@code
 * supported_versions} for TLS 1.3, RFC 8446 §4.2.1) and cipher suite; for TLS 1.2 and earlier (RFC
 * 5246 §7.4) the leaf of the Certificate message and whether a CertificateRequest came before
 * ServerHelloDone. TLS 1.3 encrypts everything after the ServerHello: the certificate and the
 * request are "not visible". Stateless.
 */
public final class TlsServerFlightDecoder {
  static final int SERVER_HELLO = 2;
  static final int CERTIFICATE = 11;
  static final int CERTIFICATE_REQUEST = 13;
  static final int SERVER_HELLO_DONE = 14;
  static final int TLS13 = 0x0304;

  /** legacy_version(2) random(32). */
  static final int VERSION_AND_RANDOM_LENGTH = 2 + 32;

  private TlsServerFlightDecoder() {}

  /**
   * What the server's flight said so far.
   *
   * @param version chosen version name, null when no ServerHello was read
   * @param cipherSuite chosen suite name
   * @param clientCertificate one of TlsHandshake's CLIENT_CERT_* values, null until known
   * @param certificate the leaf certificate's facts, null when not (yet) seen or not visible
   * @param complete true when nothing more of the handshake will be readable
   * @param issue why reading stopped early; null when it did not, NEED_MORE while incomplete
   */
  public record Result(
      String version,
      String cipherSuite,
      String clientCertificate,
      TlsCertificate certificate,
      boolean complete,
      HandshakeIssue issue) {}

  public static Result decode(ByteBuffer serverStream) {
    TlsHandshakeMessages.Joined joined = TlsHandshakeMessages.join(serverStream);
    ByteBuffer m = joined.bytes();
    if (joined.issue() == HandshakeIssue.NOT_THIS_PROTOCOL) {
      return new Result(null, null, null, null, true, joined.issue());
    }
    Flight f = new Flight();
    int at = 0;
    HandshakeIssue issue = null;
    while (issue == null && !f.complete) {
      int length = TlsHandshakeMessages.messageLength(m, at);
      int start = at + TlsHandshakeMessages.MESSAGE_HEADER_LENGTH;
      if (length < 0 || m.limit() - start < length) {
        issue = HandshakeIssue.NEED_MORE;
        break;
      }
      issue = f.message(Byte.toUnsignedInt(m.get(at)), m.slice(start, length));
      at = start + length;
    }
    boolean complete =
        f.complete || joined.ended() || (issue != null && issue != HandshakeIssue.NEED_MORE);
    if (issue == HandshakeIssue.NEED_MORE && joined.issue() != null) {
      issue = joined.issue();
    }
    if (complete && f.version != null && f.clientCertificate == null && !f.tls13) {
      f.clientCertificate = TlsHandshake.CLIENT_CERT_NOT_REQUESTED;
    }
    return new Result(
        f.version,
        f.cipherSuite,
        f.clientCertificate,
        f.certificate,
        complete,
        f.complete ? null : issue);
  }

  /** The facts gathered while walking the flight's messages. */
  private static final class Flight {
    String version;
    String cipherSuite;
    String clientCertificate;
    TlsCertificate certificate;
    boolean tls13;
    boolean complete;

    HandshakeIssue message(int type, ByteBuffer body) {
      if (version == null && type != SERVER_HELLO) {
        return HandshakeIssue.TLS_UNEXPECTED_MESSAGE;
      }
      switch (type) {
        case SERVER_HELLO -> {
          return serverHello(body);
        }
        case CERTIFICATE -> {
          TlsCertificateReader.Result leaf = TlsCertificateReader.leaf(body);
          certificate = leaf.certificate();
          return leaf.issue();
        }
        case CERTIFICATE_REQUEST -> clientCertificate = TlsHandshake.CLIENT_CERT_REQUESTED;
        case SERVER_HELLO_DONE -> complete = true;
        default -> {} // ServerKeyExchange, CertificateStatus, ...: nothing to record
      }
      return null;
    }

    private HandshakeIssue serverHello(ByteBuffer body) {
      FieldReader r = new FieldReader(body);
      int legacy = r.u16();
      r.skip(VERSION_AND_RANDOM_LENGTH - 2);
      r.skip(r.u8()); // session id
      int suite = r.u16();
      r.skip(1); // compression method
      int chosen = legacy;
      if (r.remaining() > 0) {
        ByteBuffer supported =
            TlsExtensions.find(r.vector16(), TlsClientHelloDecoder.EXTENSION_SUPPORTED_VERSIONS);
        if (supported == TlsExtensions.MALFORMED) {
          return HandshakeIssue.TLS_BAD_LENGTH;
        }
        if (supported != null && supported.limit() >= 2) {
          chosen = Short.toUnsignedInt(supported.getShort(0));
        }
      }
      if (r.failed()) {
        return HandshakeIssue.TLS_BAD_LENGTH;
      }
      version = TlsNames.version(chosen);
      cipherSuite = TlsNames.cipherSuite(suite);
      if (chosen == TLS13) {
        tls13 = true;
        clientCertificate = TlsHandshake.CLIENT_CERT_NOT_VISIBLE;
        complete = true;
      }
      return null;
    }
  }
}
