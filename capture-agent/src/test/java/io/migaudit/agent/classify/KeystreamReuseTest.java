package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Verdict;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * A tunnel that "encrypts" guest memory with a keystream it starts again every block passes every
 * byte-histogram test; the byte a period further on gives it away. Encryption, and ciphertext
 * behind clear headers of a fixed size, must not be taken for it.
 */
class KeystreamReuseTest {
  private static final int SAMPLE = 256 * 1024;
  private static final int SEGMENT = 1448;

  /**
   * Memory-like bytes: random bytes with zero runs over about 40 % of them (pages with free space,
   * zeroed fields), so that about one byte in six equals the byte at any distance.
   */
  private static byte[] memory(int length, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] b = new byte[length];
    random.nextBytes(b);
    int at = 0;
    while (at < length) {
      int clear = 64 + random.nextInt(1024);
      int zeros = 32 + random.nextInt(700);
      at += clear;
      for (int i = at; i < Math.min(length, at + zeros); i++) {
        b[i] = 0;
      }
      at += zeros;
    }
    return b;
  }

  /** {@code plain} XORed with a keystream of {@code period} bytes started again every period. */
  private static byte[] reusedPad(byte[] plain, int period, long seed) {
    byte[] pad = new byte[period];
    new SplittableRandom(seed).nextBytes(pad);
    byte[] out = new byte[plain.length];
    for (int i = 0; i < plain.length; i++) {
      out[i] = (byte) (plain[i] ^ pad[i % period]);
    }
    return out;
  }

  /** {@code plain} XORed with a keystream that never repeats (a cipher used right). */
  private static byte[] freshKeystream(byte[] plain, long seed) {
    byte[] stream = new byte[plain.length];
    new SplittableRandom(seed).nextBytes(stream);
    for (int i = 0; i < plain.length; i++) {
      stream[i] ^= plain[i];
    }
    return stream;
  }

  /** Calls {@code each} with the offset and length of every segment of {@code wire}, in order. */
  private static void inSegments(byte[] wire, BiConsumer<Integer, Integer> each) {
    for (int at = 0; at < wire.length; at += SEGMENT) {
      each.accept(at, Math.min(SEGMENT, wire.length - at));
    }
  }

  /** The initiator's sample of a TCP stream of {@code bytes}, in segments from stream offset 0. */
  private static PayloadSample stream(byte[] bytes) {
    PayloadSample s = new PayloadSample(SAMPLE, 1500, 1);
    ByteBuffer frame = ByteBuffer.wrap(bytes);
    inSegments(bytes, (at, length) -> s.bytes(at, frame, at, length));
    return s;
  }

  private static PayloadFeatures classify(PayloadSample initiator) {
    return PayloadClassifier.classify(false, initiator, new PayloadSample(SAMPLE, 1500, 2));
  }

  @Test
  void aPadReusedEvery64KiBIsNoEncryptionThoughItsBytesLookUniform() {
    byte[] wire = reusedPad(memory(400 * 1024, 1), 65536, 2);
    PayloadSample s = stream(wire);

    assertThat(s.statistics().chiSquare())
        .as("the byte histogram alone would not tell")
        .isLessThan(ResampleWindow.NOT_UNIFORM_CHI_SQUARE);
    KeystreamReuse.Period period = s.reusedKeystream();
    assertThat(period).isNotNull();
    assertThat(period.lag()).isEqualTo(65536);
    assertThat(period.values()).isGreaterThan(100);
    PayloadFeatures f = classify(s);
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason()).startsWith("keystream reused every 65536 bytes (");
  }

  @Test
  void shorterPeriodsAreFoundAtTheirOwnLength() {
    for (int period : new int[] {4096, 12288, 131072}) {
      PayloadSample s = stream(reusedPad(memory(400 * 1024, period), period, 3));
      assertThat(s.reusedKeystream()).as("period %d", period).isNotNull();
      assertThat(s.reusedKeystream().lag()).as("period %d", period).isEqualTo(period);
      assertThat(classify(s).verdict()).as("period %d", period).isEqualTo(Verdict.PLAINTEXT);
    }
  }

  @Test
  void aPeriodIsFoundWhereTheMemoryRepeatsLaterInTheSample() {
    // 48 KiB of memory without a zero (compressed pages, say), then memory with zero runs
    byte[] dense = new byte[48 * 1024];
    SplittableRandom random = new SplittableRandom(20);
    for (int i = 0; i < dense.length; i++) {
      dense[i] = (byte) (1 + random.nextInt(255));
    }
    byte[] plain = EncryptionEvidenceTest.concat(dense, memory(400 * 1024, 21));
    PayloadSample s = stream(reusedPad(plain, 65536, 22));

    assertThat(s.reusedKeystream()).isNotNull();
    assertThat(s.reusedKeystream().lag()).isEqualTo(65536);
  }

  @Test
  void aKeystreamThatNeverRepeatsIsEncryption() {
    for (long seed = 10; seed < 16; seed++) {
      PayloadSample s = stream(freshKeystream(memory(400 * 1024, seed), seed + 100));
      assertThat(s.reusedKeystream()).as("seed %d", seed).isNull();
      assertThat(classify(s).verdict()).as("seed %d", seed).isEqualTo(Verdict.ENCRYPTED);
    }
  }

  @Test
  void ciphertextBehindClearHeadersOfAFixedSizeIsNoReusedKeystream() {
    // 1 KiB records: a clear 16-byte header (length, a salt that never changes, a counter), then
    // ciphertext. Every 16th kept byte is the header's first, the same at a lag of 1 KiB.
    SplittableRandom random = new SplittableRandom(5);
    byte[] wire = new byte[400 * 1024];
    random.nextBytes(wire);
    for (int record = 0; record * 1024 < wire.length; record++) {
      int at = record * 1024;
      wire[at] = 0x00;
      wire[at + 1] = 0x00;
      wire[at + 2] = 0x03;
      wire[at + 3] = (byte) 0xF0;
      for (int i = 4; i < 8; i++) {
        wire[at + i] = (byte) (0xA5 + i);
      }
      for (int i = 8; i < 16; i++) {
        wire[at + i] = (byte) (record >>> (8 * (15 - i)));
      }
    }
    PayloadSample s = stream(wire);

    assertThat(s.reusedKeystream()).isNull();
    assertThat(classify(s).verdict()).isEqualTo(Verdict.ENCRYPTED);
  }

  @Test
  void aClearPrologueDoesNotKeepTheLookAway() {
    byte[] prologue = new byte[20 * 1024];
    for (int i = 0; i < prologue.length; i++) {
      prologue[i] = (byte) ("<vm><memory>4096</memory></vm>\n".charAt(i % 31));
    }
    byte[] rest = reusedPad(memory(400 * 1024, 7), 32768, 8);
    PayloadSample s = stream(EncryptionEvidenceTest.concat(prologue, rest));

    assertThat(s.reusedKeystream()).isNotNull();
    assertThat(s.reusedKeystream().lag()).isEqualTo(32768);
  }

  @Test
  void bytesAreComparedAtTheirStreamOffsetsAcrossAGap() {
    byte[] wire = reusedPad(memory(400 * 1024, 9), 65536, 10);
    PayloadSample s = new PayloadSample(SAMPLE, 1500, 1);
    ByteBuffer frame = ByteBuffer.wrap(wire);
    int lostFrom = 50 * SEGMENT;
    int missing = 20 * SEGMENT; // segments the capture lost
    inSegments(
        wire,
        (at, length) -> {
          if (at == lostFrom) {
            s.gap(at, missing);
          }
          if (at < lostFrom || at >= lostFrom + missing) {
            s.bytes(at, frame, at, length);
          }
        });

    assertThat(s.reusedKeystream()).isNotNull();
    assertThat(s.reusedKeystream().lag()).isEqualTo(65536);
  }

  @Test
  void anyOrderOfSegmentsGivesAPeriodThatHoldsOrNone() {
    // segments out of order, overlapping, far ahead, before the start, of any length: what a
    // broken or hostile capture may hand the sample; the look must neither throw nor name a lag it
    // does not compare
    SplittableRandom random = new SplittableRandom(30);
    byte[] wire = reusedPad(memory(600 * 1024, 31), 24576, 32);
    ByteBuffer frame = ByteBuffer.wrap(wire);
    int named = 0;
    for (int round = 0; round < 200; round++) {
      KeystreamReuse k = new KeystreamReuse();
      int[] uniform = new int[256];
      Arrays.fill(uniform, 64);
      k.look(uniform, PayloadSample.PROLOGUE_BYTES, SAMPLE);
      for (int segment = random.nextInt(400); segment > 0; segment--) {
        int at = random.nextInt(wire.length);
        int length = random.nextInt(Math.min(9000, wire.length - at) + 1);
        long streamOffset = random.nextInt(8) == 0 ? Long.MAX_VALUE - random.nextInt(1 << 20) : at;
        k.add(streamOffset == at ? at : streamOffset - length, frame, at, length);
        if (random.nextInt(50) == 0) {
          KeystreamReuse.Period p = k.period();
          if (p != null) {
            named++;
            assertThat(p.lag() % KeystreamReuse.STRIDE).isZero();
            assertThat(p.lag()).isBetween(KeystreamReuse.STRIDE, KeystreamReuse.MAX_LAG);
            assertThat(p.equal()).isBetween(1, p.pairs());
            assertThat(p.values()).isBetween(KeystreamReuse.MIN_DISTINCT_VALUES, 256);
          }
        }
      }
    }
    assertThat(named).as("periods named, so the checks above were made").isGreaterThan(10);
  }

  @Test
  void datagramsAreNotLookedAtSinceAMirrorMayDeliverEachTwice() {
    byte[] wire = reusedPad(memory(400 * 1024, 11), 65536, 12);
    PayloadSample s = new PayloadSample(SAMPLE, 1500, 1);
    ByteBuffer frame = ByteBuffer.wrap(wire);
    inSegments(wire, (at, length) -> s.add(frame, at, length));

    assertThat(s.reusedKeystream()).isNull();

    PayloadSample cut = new PayloadSample(SAMPLE, 1500, 1);
    inSegments(wire, (at, length) -> cut.addCut(frame, at, length, length + 100));

    assertThat(cut.reusedKeystream()).as("datagrams the capture cut").isNull();
  }
}
