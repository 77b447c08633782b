package io.migaudit.agent.handshake;

import io.migaudit.record.EspProtection;
import io.migaudit.record.Handshake;
import io.migaudit.record.IkeProposals;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads an ESP flow's packets for ESP-NULL, and IKE_SA_INIT messages on UDP 500 / 4500 for their
 * proposals. ESP inside UDP 4500 (RFC 3948) comes as an ESP flow: the decoder tells it from IKE by
 * its non-zero SPI, so a UDP flow on 4500 holds only IKE and keepalives. Per packet, stateless
 * decoders; here only counts and the names read. Stops after {@link #MAX_PACKETS} packets: the
 * answer does not change.
 */
final class DatagramHandshake {
  static final int MAX_PACKETS = 64;

  /** RFC 3948 §2.2: an IKE message on 4500 starts with four zero bytes; ESP starts with its SPI. */
  static final int NON_ESP_MARKER_LENGTH = 4;

  static final int IKE_PORT = 500;
  static final int NAT_T_PORT = 4500;

  private final boolean udp;
  private final int serverPort;
  private int espPackets;
  private int espClear;
  private String innerProtocol;
  private List<String> offered = List.of();
  private List<String> chosen = List.of();
  private int ikeMessages;

  DatagramHandshake(boolean udp, int serverPort) {
    this.udp = udp;
    this.serverPort = serverPort;
  }

  /** One whole datagram's payload (the ESP packet from its SPI, or the UDP payload). */
  void add(ByteBuffer frame, int offset, int length) {
    if (!udp) {
      esp(frame.slice(offset, length));
      return;
    }
    int at = offset;
    if (serverPort == NAT_T_PORT) {
      if (length < NON_ESP_MARKER_LENGTH || frame.getInt(offset) != 0) {
        return; // a keepalive, or ESP the capture cut before its sequence number
      }
      at += NON_ESP_MARKER_LENGTH;
    }
    ike(frame.slice(at, offset + length - at));
  }

  private void esp(ByteBuffer packet) {
    if (espPackets >= MAX_PACKETS) {
      return;
    }
    EspNullDecoder.Result r = EspNullDecoder.decode(packet);
    if (r.issue() != null) {
      return;
    }
    espPackets++;
    if (r.clear()) {
      espClear++;
      innerProtocol = r.innerProtocol();
    }
  }

  private void ike(ByteBuffer message) {
    if (ikeMessages >= MAX_PACKETS) {
      return;
    }
    ikeMessages++;
    IkeSaInitDecoder.Result r = IkeSaInitDecoder.decode(message);
    if (r.issue() != null || r.transforms().isEmpty()) {
      return;
    }
    if (r.response()) {
      chosen = r.transforms();
    } else {
      offered = r.transforms();
    }
  }

  /** The facts so far, null when nothing was read. */
  Handshake facts() {
    EspProtection esp = null;
    if (espPackets > 0) {
      boolean clear = espClear * 2 > espPackets;
      esp =
          new EspProtection(
              clear ? EspProtection.NULL : EspProtection.ENCRYPTED,
              clear ? innerProtocol : null,
              espPackets);
    }
    IkeProposals ike =
        offered.isEmpty() && chosen.isEmpty() ? null : new IkeProposals(offered, chosen);
    return esp == null && ike == null ? null : new Handshake(null, null, esp, ike);
  }
}
