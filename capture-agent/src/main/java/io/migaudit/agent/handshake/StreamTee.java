package io.migaudit.agent.handshake;

import io.migaudit.agent.classify.StreamSink;
import java.nio.ByteBuffer;

/**
 * Hands one TCP direction's stream-ordered bytes to its payload sample and to the handshake reader:
 * the reader sees exactly what the sample sees (no out-of-window segment, no retransmission), and a
 * gap ends its reading of that direction. Bytes behind the stream go to the sample only.
 */
final class StreamTee implements StreamSink {
  private final StreamSink sample;
  private final StreamHandshake handshake;
  private final boolean initiator;

  StreamTee(StreamSink sample, StreamHandshake handshake, boolean initiator) {
    this.sample = sample;
    this.handshake = handshake;
    this.initiator = initiator;
  }

  StreamSink sample() {
    return sample;
  }

  @Override
  public void bytes(long streamOffset, ByteBuffer frame, int offset, int length) {
    sample.bytes(streamOffset, frame, offset, length);
    handshake.add(initiator, frame, offset, length, false);
  }

  @Override
  public void gap(long streamOffset, long missingBytes) {
    sample.gap(streamOffset, missingBytes);
    handshake.gap(initiator);
  }

  @Override
  public void cut(
      long streamOffset, ByteBuffer frame, int offset, int captured, long missingBytes) {
    sample.cut(streamOffset, frame, offset, captured, missingBytes);
    if (captured > 0) {
      handshake.add(initiator, frame, offset, captured, false);
    }
    handshake.gap(initiator);
  }

  @Override
  public void behind(long streamOffset, ByteBuffer frame, int offset, int length, boolean cut) {
    sample.behind(streamOffset, frame, offset, length, cut);
  }
}
