package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class PayloadClassifierTest {
  private static final String[] WORDS = {
    "the",
    "kernel",
    "page",
    "memory",
    "process",
    "socket",
    "buffer",
    "customer",
    "password",
    "invoice",
    "table",
    "index",
    "vmotion",
    "guest",
    "driver",
    "cache"
  };

  static byte[] text(int n, long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder();
    while (sb.length() < n) {
      sb.append(WORDS[r.nextInt(WORDS.length)]).append(r.nextInt(10) == 0 ? ".\n" : " ");
    }
    return sb.substring(0, n).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] memoryLike(int n, long seed) {
    return PageStreams.memoryLike(n, seed);
  }

  static byte[] deflate(byte[] in) {
    return PageStreams.rawDeflate(in, 6);
  }

  static byte[] aesGcm(byte[] in) throws Exception {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(
        Cipher.ENCRYPT_MODE,
        new SecretKeySpec(new byte[32], "AES"),
        new GCMParameterSpec(128, new byte[12]));
    return c.doFinal(in);
  }

  private static PayloadFeatures classify(byte[] initiatorBytes) {
    PayloadSample initiator =
        new PayloadSample(
            AgentConfig.DEFAULT_SAMPLE_BYTES, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    for (int off = 0; off < initiatorBytes.length; off += 1448) {
      initiator.add(
          ByteBuffer.wrap(initiatorBytes), off, Math.min(1448, initiatorBytes.length - off));
    }
    return PayloadClassifier.classify(false, initiator, new PayloadSample(64 * 1024, 512));
  }

  @Test
  void aesGcmCiphertextIsEncrypted() throws Exception {
    PayloadFeatures f = classify(aesGcm(memoryLike(256 * 1024, 1)));
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(f.signature()).isEqualTo(Signature.NONE);
    assertThat(f.chiSquare()).isLessThan(ByteStatistics.uniformChiSquareLimit());
  }

  @Test
  void ciphertextBehindClearRecordHeadersIsEncrypted() throws Exception {
    PayloadFeatures f = classify(CiphertextBehindHeadersTest.sealedRecords(320 << 10, 4096));
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(f.chiSquare()).isGreaterThan(ByteStatistics.uniformChiSquareLimit());
    assertThat(f.reason()).startsWith("uniform bytes behind clear record headers (");
    assertThat(f.reason().length()).isLessThanOrEqualTo(PayloadFeatures.MAX_REASON_CHARS);
  }

  @Test
  void postcopyPreemptChannelsAreInClear() {
    // QEMU's preempt channel: one RAM page record naming its block, the page, the end of section
    byte[] header = {0, 0, 0, 0, 0, 0x0C, 0, 0x08, 6, 'p', 'c', '.', 'r', 'a', 'm'};
    byte[] end = {0, 0, 0, 0, 0, 0, 0, 0x10};
    PayloadFeatures pages = classify(concat(concat(header, memoryLike(4096, 3)), end));
    assertThat(pages.signature()).isEqualTo(Signature.QEMU_POSTCOPY);
    assertThat(pages.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(pages.reason()).contains("postcopy preempt channel, RAM page records");
    // the same channel when the guest asked for nothing: too few bytes for statistics, but the
    // framing is QEMU's in clear, as a QEVM stream's is
    PayloadFeatures alone = classify(end);
    assertThat(alone.signature()).isEqualTo(Signature.QEMU_POSTCOPY);
    assertThat(alone.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(alone.reason()).contains("carried only its end-of-section word");
  }

  @Test
  void mainChannelsResumedByPostcopyRecoveryAreInClear() {
    // the resumed channel as QEMU 7.2 sent it: a bitmap request per block, the resume command,
    // then RAM sections
    byte[] request = {0x08, 0, 0x0A, 0, 7, 6, 'p', 'c', '.', 'r', 'a', 'm'};
    byte[] resume = {0x08, 0, 0x09, 0, 0};
    PayloadFeatures f = classify(concat(concat(request, resume), memoryLike(8192, 5)));
    assertThat(f.signature()).isEqualTo(Signature.QEMU_POSTCOPY);
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason()).contains("main channel resumed after a postcopy failure");
    assertThat(f.reason().length()).isLessThanOrEqualTo(PayloadFeatures.MAX_REASON_CHARS);
  }

  @Test
  void migrationsBehindARelayRequestSayWhichRequest() {
    byte[] request = "CONNECT 127.0.0.1:4444 HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] qevm = {'Q', 'E', 'V', 'M', 0, 0, 0, 3};
    PayloadFeatures f = classify(concat(concat(request, qevm), memoryLike(8192, 9)));
    assertThat(f.signature()).isEqualTo(Signature.QEMU);
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason())
        .startsWith("relayed, behind an HTTP CONNECT request: qemu framing in clear");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void ciphertextAfterAClearPrologueIsEncrypted() throws Exception {
    // 8 KiB of clear negotiation, then the memory encrypted
    byte[] stream = concat(text(8 << 10, 11), aesGcm(memoryLike(320 << 10, 12)));
    PayloadFeatures f = classify(stream);
    assertThat(f.chiSquare()).isGreaterThan(ByteStatistics.uniformChiSquareLimit());
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(f.reason())
        .startsWith("uniform bytes after a clear prologue (the first 17376 bytes");
    // and behind record headers after it
    byte[] headers =
        concat(text(8 << 10, 13), CiphertextBehindHeadersTest.sealedRecords(320 << 10, 4096));
    PayloadFeatures h = classify(headers);
    assertThat(h.verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(h.reason())
        .startsWith("uniform bytes behind clear record headers after a clear prologue");
    assertThat(h.reason().length()).isLessThanOrEqualTo(PayloadFeatures.MAX_REASON_CHARS);
  }

  @Test
  void whatFollowsAClearPrologueMustBeCiphertextItself() throws Exception {
    byte[] prologue = text(8 << 10, 14);
    assertThat(classify(concat(prologue, memoryLike(320 << 10, 15))).verdict())
        .isEqualTo(Verdict.PLAINTEXT);
    assertThat(classify(concat(prologue, deflate(memoryLike(2 << 20, 16)))).verdict())
        .isEqualTo(Verdict.COMPRESSED);
    // a prologue longer than the one looked through is judged with what follows it
    assertThat(classify(concat(text(48 << 10, 17), aesGcm(memoryLike(320 << 10, 18)))).verdict())
        .isEqualTo(Verdict.COMPRESSED);
    // and a flow too short to leave half a sample after the prologue is judged as a whole
    assertThat(classify(concat(prologue, aesGcm(memoryLike(96 << 10, 19)))).verdict())
        .isEqualTo(Verdict.COMPRESSED);
  }

  @Test
  void rawDeflateOfTextIsCompressedNotEncrypted() {
    PayloadFeatures f = classify(deflate(text(1 << 20, 2)));
    assertThat(f.verdict()).isEqualTo(Verdict.COMPRESSED);
    assertThat(f.entropy()).isGreaterThan(7.0);
  }

  @Test
  void guestMemoryIsPlaintext() {
    PayloadFeatures f = classify(memoryLike(256 * 1024, 3));
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.zeroFraction()).isGreaterThan(0.2);
  }

  @Test
  void textIsPlaintext() {
    PayloadFeatures f = classify(text(64 * 1024, 4));
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.printableFraction()).isGreaterThan(0.99);
  }

  @Test
  void tooFewBytesIsUnknownAndSaysWhy() {
    PayloadFeatures f = classify(new byte[100]);
    assertThat(f.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(f.reason()).contains("100 payload bytes").contains("1024 needed");
  }

  @Test
  void noPayloadIsUnknown() {
    PayloadFeatures f = classify(new byte[0]);
    assertThat(f.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(f.reason()).isEqualTo("no payload sampled");
  }

  @Test
  void tlsRecordHeaderMeansEncryptedEvenOnFewBytes() {
    byte[] hello = new byte[200];
    hello[0] = 0x16;
    hello[1] = 0x03;
    hello[2] = 0x01;
    hello[4] = (byte) 195;
    PayloadFeatures f = classify(hello);
    assertThat(f.signature()).isEqualTo(Signature.TLS);
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
  }

  @Test
  void qemuMagicWithRawPagesIsPlaintext() {
    byte[] stream = memoryLike(64 * 1024, 5);
    System.arraycopy(new byte[] {'Q', 'E', 'V', 'M', 0, 0, 0, 3}, 0, stream, 0, 8);
    PayloadFeatures f = classify(stream);
    assertThat(f.signature()).isEqualTo(Signature.QEMU);
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
  }

  @Test
  void zstdMagicIsCompressed() {
    byte[] stream = deflate(text(64 * 1024, 6));
    System.arraycopy(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD}, 0, stream, 0, 4);
    assertThat(classify(stream).signature()).isEqualTo(Signature.ZSTD);
    assertThat(classify(stream).verdict()).isEqualTo(Verdict.COMPRESSED);
  }

  @Test
  void espIsEncryptedBySignature() {
    PayloadFeatures f =
        PayloadClassifier.classify(
            true, new PayloadSample(1024, 512), new PayloadSample(1024, 512));
    assertThat(f.signature()).isEqualTo(Signature.ESP);
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
  }

  @Test
  void sampleIsBoundedPerPacketAndInTotal() {
    PayloadSample s = new PayloadSample(1000, 300);
    byte[] data = new byte[1448];
    for (int i = 0; i < 10; i++) {
      s.add(ByteBuffer.wrap(data), 0, data.length);
    }
    assertThat(s.sampledBytes()).isEqualTo(1000);
    assertThat(s.headLength()).isEqualTo(PayloadSample.HEAD_BYTES);
  }
}
