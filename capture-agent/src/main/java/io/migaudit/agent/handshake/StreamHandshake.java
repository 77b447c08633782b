package io.migaudit.agent.handshake;

import io.migaudit.record.Handshake;
import io.migaudit.record.SshKexinit;
import io.migaudit.record.TlsHandshake;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads the TLS or SSH handshake of one TCP flow from each direction's stream bytes, in order. Each
 * direction keeps its first bytes ({@link StreamPrefix}) until its decoder has what it needs, gives
 * up, or has been tried {@link #MAX_ATTEMPTS} times; then the bytes are dropped and only the facts
 * stay.
 */
final class StreamHandshake {
  /** Decoder runs per direction: a handshake arrives in a few segments, not thousands. */
  static final int MAX_ATTEMPTS = 64;

  private final boolean tls;
  private final Side client = new Side();
  private final Side server = new Side();
  private List<String> offeredVersions = List.of();
  private TlsServerFlightDecoder.Result serverFlight;
  private SshKexinit clientKexinit;
  private SshKexinit serverKexinit;

  StreamHandshake(boolean tls) {
    this.tls = tls;
  }

  /** One direction's state: its prefix (null once done) and how often it was decoded. */
  private static final class Side {
    StreamPrefix prefix = new StreamPrefix();
    int attempts;

    boolean open() {
      return prefix != null;
    }

    void close() {
      prefix.release();
      prefix = null;
    }
  }

  /**
   * Adds the next in-order stream bytes of one direction; {@code gap} when bytes before them are
   * missing.
   */
  void add(boolean initiator, ByteBuffer frame, int offset, int length, boolean gap) {
    Side side = initiator ? client : server;
    if (!side.open()) {
      return;
    }
    boolean whole = side.prefix.append(frame, offset, length);
    side.attempts++;
    boolean done = initiator ? readClient(side.prefix.view()) : readServer(side.prefix.view());
    if (done || gap || !whole || side.prefix.full() || side.attempts >= MAX_ATTEMPTS) {
      side.close();
    }
  }

  /** Bytes of one direction are missing: its handshake cannot be read further. */
  void gap(boolean initiator) {
    Side side = initiator ? client : server;
    if (side.open()) {
      side.close();
    }
  }

  private boolean readClient(ByteBuffer stream) {
    if (tls) {
      TlsClientHelloDecoder.Result r = TlsClientHelloDecoder.decode(stream);
      offeredVersions = r.offeredVersions();
      return r.issue() != HandshakeIssue.NEED_MORE;
    }
    SshKexinitDecoder.Result r = SshKexinitDecoder.decode(stream);
    clientKexinit = r.kexinit();
    return r.issue() != HandshakeIssue.NEED_MORE;
  }

  private boolean readServer(ByteBuffer stream) {
    if (tls) {
      serverFlight = TlsServerFlightDecoder.decode(stream);
      return serverFlight.complete();
    }
    SshKexinitDecoder.Result r = SshKexinitDecoder.decode(stream);
    serverKexinit = r.kexinit();
    return r.issue() != HandshakeIssue.NEED_MORE;
  }

  /** The facts so far, null when nothing was read. */
  Handshake facts() {
    if (tls) {
      TlsServerFlightDecoder.Result s = serverFlight;
      if (offeredVersions.isEmpty() && (s == null || s.version() == null)) {
        return null;
      }
      return new Handshake(
          s == null
              ? new TlsHandshake(offeredVersions, null, null, null, null)
              : new TlsHandshake(
                  offeredVersions,
                  s.version(),
                  s.cipherSuite(),
                  s.clientCertificate(),
                  s.certificate()),
          null,
          null,
          null);
    }
    if (clientKexinit == null && serverKexinit == null) {
      return null;
    }
    return new Handshake(null, SshNegotiation.of(clientKexinit, serverKexinit), null, null);
  }
}
