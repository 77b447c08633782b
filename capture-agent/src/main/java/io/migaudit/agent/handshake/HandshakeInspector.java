package io.migaudit.agent.handshake;

import io.migaudit.agent.classify.StreamSink;
import io.migaudit.record.Handshake;
import java.nio.ByteBuffer;

/**
 * Reads what one flow's clear-text handshake says about its protection: TLS or SSH on TCP, ESP-NULL
 * on ESP (IP protocol 50) and ESP-in-UDP, IKE_SA_INIT on UDP 500 / 4500. Made by {@link #forFlow}
 * only for flows that can carry one, so other flows pay nothing. Keeps facts, never payload: a TCP
 * direction's first bytes are held only until its handshake is read. TCP bytes come in stream order
 * through {@link #tee} (the flow table's stream tracker), datagrams through {@link #add}.
 */
public final class HandshakeInspector {
  static final int TCP = 6;
  static final int UDP = 17;
  static final int ESP = 50;

  /** RFC 8446 §5.1: a handshake record starts 0x16 0x03. */
  static final int TLS_HANDSHAKE = 0x16;

  static final int TLS_MAJOR = 0x03;

  private final StreamHandshake stream;
  private final DatagramHandshake datagrams;
  private StreamTee initiatorTee;
  private StreamTee responderTee;

  private HandshakeInspector(StreamHandshake stream, DatagramHandshake datagrams) {
    this.stream = stream;
    this.datagrams = datagrams;
  }

  /** An inspector for an ESP flow or a UDP flow to 500 / 4500; null for any other. */
  public static HandshakeInspector forDatagrams(int ipProtocol, int serverPort) {
    if (ipProtocol == ESP) {
      return new HandshakeInspector(null, new DatagramHandshake(false, serverPort));
    }
    if (ipProtocol == UDP
        && (serverPort == DatagramHandshake.IKE_PORT
            || serverPort == DatagramHandshake.NAT_T_PORT)) {
      return new HandshakeInspector(null, new DatagramHandshake(true, serverPort));
    }
    return null;
  }

  /**
   * An inspector for a TCP flow whose first stream bytes are {@code length} bytes of {@code frame}
   * at {@code offset}: one for TLS when they start a handshake record, for SSH when an
   * identification string; null otherwise.
   */
  public static HandshakeInspector forStream(
      int ipProtocol, ByteBuffer frame, int offset, int length) {
    if (ipProtocol != TCP || length < 2) {
      return null;
    }
    int first = Byte.toUnsignedInt(frame.get(offset));
    if (first == TLS_HANDSHAKE && Byte.toUnsignedInt(frame.get(offset + 1)) == TLS_MAJOR) {
      return new HandshakeInspector(new StreamHandshake(true), null);
    }
    byte[] prefix = SshKexinitDecoder.IDENTIFICATION_PREFIX;
    if (length < prefix.length) {
      return null;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (frame.get(offset + i) != prefix[i]) {
        return null;
      }
    }
    return new HandshakeInspector(new StreamHandshake(false), null);
  }

  /**
   * Reads one packet's payload: {@code capturedLength} bytes of {@code frame} from absolute {@code
   * offset}, of the {@code wireLength} it carried; {@code initiator} says its direction. A packet
   * cut by the snap length ends a TCP direction's reading and is skipped for datagrams.
   */
  public void add(
      boolean initiator, ByteBuffer frame, int offset, int capturedLength, int wireLength) {
    if (capturedLength <= 0) {
      return;
    }
    if (stream != null) {
      stream.add(initiator, frame, offset, capturedLength, capturedLength < wireLength);
    } else if (capturedLength == wireLength) {
      datagrams.add(frame, offset, capturedLength);
    }
  }

  /**
   * The sink a TCP direction's stream tracker feeds instead of {@code sample}: it passes every call
   * to {@code sample} and reads the handshake from the same bytes. Made once per direction.
   */
  public StreamSink tee(boolean initiator, StreamSink sample) {
    if (stream == null || sample == null) {
      return sample;
    }
    StreamTee tee = initiator ? initiatorTee : responderTee;
    if (tee == null || tee.sample() != sample) {
      tee = new StreamTee(sample, stream, initiator);
      if (initiator) {
        initiatorTee = tee;
      } else {
        responderTee = tee;
      }
    }
    return tee;
  }

  /** What was read so far, null when nothing was. */
  public Handshake facts() {
    return stream != null ? stream.facts() : datagrams.facts();
  }
}
