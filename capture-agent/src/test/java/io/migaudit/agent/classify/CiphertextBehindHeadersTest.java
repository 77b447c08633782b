package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** {@link CiphertextBehindHeaders}: ciphertext behind clear headers, and what must not pass. */
class CiphertextBehindHeadersTest {
  private static final int SAMPLE = 256 << 10;

  /**
   * AES-256-GCM records of {@code record} plaintext bytes of guest-memory-like data, each behind a
   * clear 16-byte header (u32 length, 4-byte salt, u64 counter) as a framing might carry them.
   */
  static byte[] sealedRecords(int total, int record) throws Exception {
    byte[] memory = PageStreams.memoryLike(total, 7);
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long counter = 1; out.size() < total; counter++) {
      byte[] nonce = ByteBuffer.allocate(12).put("VMot".getBytes()).putLong(counter).array();
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      int at = (int) ((counter - 1) * record % (total - record));
      byte[] sealed = c.doFinal(memory, at, record);
      out.write(ByteBuffer.allocate(4).putInt(12 + sealed.length).array());
      out.write(nonce);
      out.write(sealed);
    }
    byte[] all = out.toByteArray();
    return java.util.Arrays.copyOf(all, total);
  }

  private static int[] counts(byte[] bytes) {
    int[] c = new int[256];
    for (byte b : bytes) {
      c[b & 0xFF]++;
    }
    return c;
  }

  private static ByteStatistics statistics(byte[] bytes) {
    return ByteStatistics.of(bytes.length, counts(bytes));
  }

  @Test
  void recordsOfAFewKiBBehindClearHeadersAreCiphertextThoughNotUniformAsAWhole() throws Exception {
    for (int record : new int[] {2048, 4096, 8192}) {
      byte[] stream = sealedRecords(SAMPLE, record);
      if (record <= 4096) {
        assertThat(statistics(stream).chiSquare())
            .as("records of %d bytes fail the whole-sample test", record)
            .isGreaterThan(ByteStatistics.uniformChiSquareLimit());
      }
      CiphertextBehindHeaders.Finding f = CiphertextBehindHeaders.of(SAMPLE, counts(stream));
      assertThat(f).as("records of %d bytes", record).isNotNull();
      assertThat(f.restChiSquare()).isLessThanOrEqualTo(CiphertextBehindHeaders.REST_LIMIT);
      assertThat(f.headerShare()).isPositive();
    }
  }

  @Test
  void uniformBytesPass() {
    byte[] random = new byte[SAMPLE];
    new Random(1).nextBytes(random);
    assertThat(CiphertextBehindHeaders.of(SAMPLE, counts(random))).isNotNull();
  }

  @Test
  void compressedMemoryAndTextAreNotCiphertextBehindHeaders() {
    for (int level : new int[] {1, 6, 9}) {
      byte[] memory = PageStreams.rawDeflate(PageStreams.memoryLike(4 * SAMPLE, level), level);
      byte[] text = PageStreams.rawDeflate(PayloadClassifierTest.text(4 * SAMPLE, level), level);
      for (byte[] compressed : new byte[][] {memory, text}) {
        byte[] sample = java.util.Arrays.copyOfRange(compressed, 0, SAMPLE);
        assertThat(statistics(sample).chiSquare())
            .isGreaterThan(ByteStatistics.uniformChiSquareLimit());
        assertThat(CiphertextBehindHeaders.of(SAMPLE, counts(sample)))
            .as("deflate level %d", level)
            .isNull();
      }
    }
  }

  @Test
  void randomBytesWithAFewPercentOfZerosOrPointersAreNot() {
    Random r = new Random(2);
    byte[] zeros = new byte[SAMPLE];
    r.nextBytes(zeros);
    java.util.Arrays.fill(zeros, 0, SAMPLE * 3 / 100, (byte) 0);
    assertThat(CiphertextBehindHeaders.of(SAMPLE, counts(zeros))).isNull();
    ByteBuffer pointers = ByteBuffer.allocate(SAMPLE);
    r.nextBytes(pointers.array());
    for (int at = 0; at < SAMPLE * 5 / 100; at += 8) {
      pointers.putLong(at, 0xffff888000000000L | ((long) r.nextInt() & 0xffffffffL) << 3);
    }
    assertThat(CiphertextBehindHeaders.of(SAMPLE, counts(pointers.array()))).isNull();
  }

  @Test
  void randomBytesWithTwoPercentOfZerosAreNotThoughTheRestIsUniform() {
    byte[] zeros = new byte[SAMPLE];
    new Random(5).nextBytes(zeros);
    java.util.Arrays.fill(zeros, 0, SAMPLE * 2 / 100, (byte) 0);
    assertThat(CiphertextBehindHeaders.of(SAMPLE, counts(zeros))).isNull();
  }

  @Test
  void moreThanAHeadersShareInAFewValuesLeavesTheRestNotUniform() {
    // 3 % of the bytes spread over 8 values: each of the other 248 lacks 3 % of its share, and
    // they are no longer as uniform as ciphertext's
    Random r = new Random(4);
    byte[] sample = new byte[SAMPLE];
    r.nextBytes(sample);
    for (int i = 0; i < SAMPLE * 3 / 100; i++) {
      sample[r.nextInt(SAMPLE)] = (byte) (0x40 + r.nextInt(8));
    }
    assertThat(statistics(sample).chiSquare())
        .isGreaterThan(ByteStatistics.uniformChiSquareLimit());
    assertThat(CiphertextBehindHeaders.of(SAMPLE, counts(sample))).isNull();
    // the same at 1 %, as headers of 2-4 KiB records take, passes
    r = new Random(4);
    r.nextBytes(sample);
    for (int i = 0; i < SAMPLE / 100; i++) {
      sample[r.nextInt(SAMPLE)] = (byte) (0x40 + r.nextInt(8));
    }
    assertThat(CiphertextBehindHeaders.of(SAMPLE, counts(sample))).isNotNull();
  }

  @Test
  void bytesThatDeviateALittleInEveryValueAreNot() {
    // what a compressor's output does: no value far off, most values somewhat off
    Random r = new Random(3);
    double[] weight = new double[256];
    double sum = 0;
    for (int b = 0; b < 256; b++) {
      weight[b] = 1 + 0.12 * Math.sin(b * 0.7);
      sum += weight[b];
    }
    byte[] sample = new byte[SAMPLE];
    for (int i = 0; i < SAMPLE; i++) {
      double u = r.nextDouble() * sum;
      int b = 0;
      while (b < 255 && (u -= weight[b]) > 0) {
        b++;
      }
      sample[i] = (byte) b;
    }
    assertThat(CiphertextBehindHeaders.of(SAMPLE, counts(sample))).isNull();
  }

  @Test
  void samplesSmallerThanAMigrationsAreNotJudgedSo() throws Exception {
    int n = (192 << 10) - 1;
    byte[] stream = sealedRecords(n, 4096);
    assertThat(CiphertextBehindHeaders.of(n, counts(stream))).isNull();
  }
}
