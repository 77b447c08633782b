package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Verdict;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A long flow keeps being looked at: a migration that turns readable mid-way is caught. */
class ResampleWindowTest {
  private static final int MIB = 1 << 20;

  private static PayloadSample sample() {
    return new PayloadSample(
        AgentConfig.DEFAULT_SAMPLE_BYTES, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
  }

  private static void feed(PayloadSample s, byte[] stream) {
    for (int off = 0; off < stream.length; off += 1448) {
      s.add(ByteBuffer.wrap(stream), off, Math.min(1448, stream.length - off));
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void encryptedStreamThatFallsBackToPlaintextIsCaught() throws Exception {
    PayloadSample s = sample();
    feed(
        s,
        concat(
            PayloadClassifierTest.aesGcm(PayloadClassifierTest.memoryLike(20 * MIB, 1)),
            PayloadClassifierTest.memoryLike(20 * MIB, 2)));
    PayloadFeatures f = PayloadClassifier.classify(false, s, sample());
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason())
        .startsWith("payload turned readable after ")
        .contains("earlier: uniform bytes");
    assertThat(s.readableLaterAt())
        .isBetween(20L * MIB, 20L * MIB + ResampleWindow.INTERVAL_BYTES + 65536);
  }

  @Test
  void longEncryptedStreamStaysEncrypted() throws Exception {
    PayloadSample s = sample();
    feed(s, PayloadClassifierTest.aesGcm(PayloadClassifierTest.memoryLike(48 * MIB, 3)));
    PayloadFeatures f = PayloadClassifier.classify(false, s, sample());
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(s.readableLaterAt()).isEqualTo(-1);
  }

  @Test
  void longCompressedStreamIsNotMistakenForAFallback() {
    PayloadSample s = sample();
    byte[] compressed = PayloadClassifierTest.deflate(PayloadClassifierTest.text(96 * MIB, 4));
    feed(s, compressed);
    assertThat((long) compressed.length)
        .as("long enough for a window")
        .isGreaterThan(ResampleWindow.INTERVAL_BYTES + MIB);
    assertThat(s.readableLaterAt()).isEqualTo(-1);
    assertThat(PayloadClassifier.classify(false, s, sample()).verdict())
        .isEqualTo(Verdict.COMPRESSED);
  }

  @Test
  void tlsFlowWhoseLaterBytesAreReadableIsPlaintext() throws Exception {
    byte[] hello = new byte[200];
    hello[0] = 0x16;
    hello[1] = 0x03;
    hello[2] = 0x01;
    hello[4] = (byte) 195;
    PayloadSample s = sample();
    feed(
        s,
        concat(
            concat(
                hello, PayloadClassifierTest.aesGcm(PayloadClassifierTest.memoryLike(10 * MIB, 5))),
            PayloadClassifierTest.memoryLike(12 * MIB, 6)));
    PayloadFeatures f = PayloadClassifier.classify(false, s, sample());
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason()).contains("earlier: tls framing");
  }
}
