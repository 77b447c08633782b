package io.migaudit.agent.kerberos;

import io.migaudit.record.KerberosActivity;
import io.migaudit.record.KerberosRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Watches the client-to-KDC direction of one Kerberos flow (TCP or UDP port 88) and collects the
 * service principals its TGS requests name (see {@link KdcRequestReader}), and counts the KDC's
 * ticket-granting replies in the other direction (a request without one proves nothing: anyone can
 * send a request). Over UDP every datagram is one message; over TCP each message follows a 4-byte
 * big-endian length (RFC 4120 §7.2.2). Keeps no payload: only the names read and a few counters.
 * Stops at the first sign the stream is not one it can follow (a snaplen-cut packet, a lost TCP
 * segment, a message that is not DER), so a record may name fewer requests than the flow made,
 * never a wrong one.
 */
public final class KerberosInspector {
  /** IANA "kerberos", TCP and UDP. */
  public static final int KERBEROS_PORT = 88;

  static final int TCP_LENGTH_PREFIX_BYTES = 4;

  /** RFC 4120 §7.2.2: the high bit of the TCP length is reserved for extensions. */
  static final long TCP_LENGTH_RESERVED_BIT = 0x8000_0000L;

  /** Messages read per flow; a KDC connection rarely carries more than one. */
  static final int MAX_MESSAGES = 32;

  /**
   * DER identifier of a KDC-REP of msg-type 13: [APPLICATION 13], constructed (RFC 4120 §5.4.2).
   */
  static final int TGS_REP_TAG = 0x6d;

  private static final int TCP = 6;
  private static final int UDP = 17;

  private final boolean tcp;
  private final List<KerberosRequest> requests = new ArrayList<>(1);
  private KdcRequestReader reader;
  private long messageLeft;
  private int prefixRead;
  private long prefix;
  private int messages;
  private boolean stopped;
  private int replies;

  /**
   * Bytes of the KDC's direction seen so far (TCP: to find the first reply's tag after its length).
   */
  private long replyBytes;

  private KerberosInspector(boolean tcp) {
    this.tcp = tcp;
  }

  /**
   * An inspector for a flow to {@code serverPort} over IP protocol {@code ipProtocol}; null if not
   * Kerberos.
   */
  public static KerberosInspector forFlow(int ipProtocol, int serverPort) {
    if (serverPort != KERBEROS_PORT || (ipProtocol != TCP && ipProtocol != UDP)) {
      return null;
    }
    return new KerberosInspector(ipProtocol == TCP);
  }

  /**
   * Reads one client-to-server packet's payload: {@code capturedLength} bytes of {@code frame} from
   * absolute {@code offset}, of the {@code wireLength} the packet carried.
   */
  public void add(ByteBuffer frame, int offset, int capturedLength, int wireLength) {
    if (stopped || capturedLength <= 0) {
      return;
    }
    if (capturedLength < wireLength) {
      stopped = tcp; // a cut datagram is skipped; a cut TCP segment loses the framing
      return;
    }
    if (tcp) {
      addTcp(frame, offset, capturedLength);
    } else {
      startMessage(capturedLength);
      reader.feed(frame, offset, capturedLength);
      endMessage();
    }
  }

  /**
   * Reads one server-to-client packet's payload and counts a ticket-granting reply (TGS-REP, RFC
   * 4120 msg-type 13, DER tag [APPLICATION 13] = {@value #TGS_REP_TAG}): each datagram over UDP;
   * the first message of a TCP connection (a client asks one ticket per connection). Nothing is
   * kept.
   */
  public void addReply(ByteBuffer frame, int offset, int capturedLength) {
    if (capturedLength <= 0) {
      return;
    }
    if (!tcp) {
      if (Byte.toUnsignedInt(frame.get(offset)) == TGS_REP_TAG && replies < MAX_MESSAGES) {
        replies++;
      }
      return;
    }
    long at = TCP_LENGTH_PREFIX_BYTES - replyBytes;
    if (at >= 0
        && at < capturedLength
        && Byte.toUnsignedInt(frame.get(offset + (int) at)) == TGS_REP_TAG) {
      replies = 1;
    }
    replyBytes += capturedLength;
  }

  private void addTcp(ByteBuffer frame, int offset, int length) {
    int i = 0;
    while (i < length && !stopped) {
      if (messageLeft == 0) {
        prefix = (prefix << 8) | Byte.toUnsignedInt(frame.get(offset + i++));
        if (++prefixRead == TCP_LENGTH_PREFIX_BYTES) {
          if ((prefix & TCP_LENGTH_RESERVED_BIT) != 0 || prefix == 0) {
            stopped = true;
            return;
          }
          startMessage(prefix);
          messageLeft = prefix;
          prefixRead = 0;
          prefix = 0;
        }
        continue;
      }
      int n = (int) Math.min(messageLeft, length - i);
      if (reader.outcome() == KdcRequestReader.Outcome.READING) {
        reader.feed(frame, offset + i, n);
      }
      i += n;
      messageLeft -= n;
      if (messageLeft == 0) {
        endMessage();
      }
    }
  }

  private void startMessage(long length) {
    reader = new KdcRequestReader(length);
  }

  private void endMessage() {
    KdcRequestReader.Outcome outcome = reader.outcome();
    if (outcome == KdcRequestReader.Outcome.TGS_REQ) {
      KerberosRequest r = reader.request();
      if (requests.size() < KerberosActivity.MAX_REQUESTS && !requests.contains(r)) {
        requests.add(r);
      }
    }
    reader = null;
    // garbage on TCP means the framing is lost; a garbage datagram says nothing of the next one
    stopped = (tcp && outcome == KdcRequestReader.Outcome.FAILED) || ++messages >= MAX_MESSAGES;
  }

  /** The requests read so far and the replies counted; null when no request was read. */
  public KerberosActivity activity() {
    return requests.isEmpty() ? null : new KerberosActivity(requests, replies);
  }
}
