package io.migaudit.agent.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamPrefixTest {
  @Test
  void keepsEveryByteAppendedInPiecesOfAnySizeUpToItsBound() {
    Random random = new Random(2048);
    StreamPrefix prefix = new StreamPrefix();
    assertThat(prefix.view().remaining()).isZero();
    assertThat(prefix.append(ByteBuffer.allocate(0), 0, 0)).isTrue();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    boolean kept = true;
    while (kept) {
      byte[] piece =
          new byte[random.nextInt(3) == 0 ? 1 + random.nextInt(4) : random.nextInt(1500)];
      random.nextBytes(piece);
      byte[] frame = new byte[piece.length + 7];
      System.arraycopy(piece, 0, frame, 7, piece.length);
      kept = prefix.append(ByteBuffer.wrap(frame), 7, piece.length);
      expected.write(piece, 0, Math.min(piece.length, StreamPrefix.MAX_BYTES - expected.size()));
      ByteBuffer view = prefix.view();
      byte[] held = new byte[view.remaining()];
      view.get(held);
      assertThat(held).isEqualTo(expected.toByteArray());
    }
    assertThat(prefix.full()).isTrue();
    assertThat(expected.size()).isEqualTo(StreamPrefix.MAX_BYTES);
    assertThat(prefix.append(ByteBuffer.wrap(new byte[1]), 0, 1)).isFalse();
  }
}
