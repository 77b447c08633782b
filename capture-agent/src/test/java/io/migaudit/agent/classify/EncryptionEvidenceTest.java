package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A signature's claim of encryption stands only when the framing holds and the bytes it covers
 * agree.
 */
class EncryptionEvidenceTest {
  private static final int SEGMENT = 1448;
  private static final byte[] FAKE_TLS = {0x17, 0x03, 0x03, 0x00, 0x40};

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** The parts one after the other (also for the other tests of this package). */
  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** TLS records of {@code body}, each at most 16 KiB, of content type {@code type}. */
  static byte[] tlsRecords(int type, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int off = 0; off < body.length; off += 16384) {
      int n = Math.min(16384, body.length - off);
      out.writeBytes(new byte[] {(byte) type, 0x03, 0x03, (byte) (n >>> 8), (byte) n});
      out.write(body, off, n);
    }
    return out.toByteArray();
  }

  /** An SSH binary packet in clear (RFC 4253 6) of message {@code message} with {@code payload}. */
  static byte[] sshPacket(int message, byte[] payload) {
    int unpadded = 4 + 1 + 1 + payload.length;
    int padding = 8 - unpadded % 8 + (8 - unpadded % 8 < 4 ? 8 : 0);
    int length = 1 + 1 + payload.length + padding;
    ByteBuffer b = ByteBuffer.allocate(4 + length);
    b.putInt(length).put((byte) padding).put((byte) message).put(payload).put(new byte[padding]);
    return b.array();
  }

  private static PayloadSample stream(byte[] bytes, boolean midStream) {
    PayloadSample s =
        new PayloadSample(
            AgentConfig.DEFAULT_SAMPLE_BYTES, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    if (midStream) {
      s.markMidStream();
    }
    for (int off = 0; off < bytes.length; off += SEGMENT) {
      s.bytes(off, ByteBuffer.wrap(bytes), off, Math.min(SEGMENT, bytes.length - off));
    }
    return s;
  }

  private static void feed(PayloadSample s, byte[] bytes, int from, int to) {
    for (int off = from; off < to; off += SEGMENT) {
      s.bytes(off, ByteBuffer.wrap(bytes), off, Math.min(SEGMENT, to - off));
    }
  }

  private static PayloadFeatures judge(PayloadSample initiator) {
    return PayloadClassifier.classify(false, initiator, new PayloadSample(1024, 512));
  }

  @Test
  void chainedRecordsOfCiphertextAreEncrypted() {
    PayloadFeatures f = judge(stream(tlsRecords(0x17, random(200_000, 1)), false));
    assertThat(f.signature()).isEqualTo(Signature.TLS);
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(f.reason()).contains("13 tls records chained").contains("bodies uniform");
  }

  @Test
  void aFakeRecordHeaderInFrontOfPlaintextBreaksTheChain() {
    byte[] plain = PayloadClassifierTest.memoryLike(200_000, 2);
    PayloadFeatures f = judge(stream(concat(FAKE_TLS, random(64, 3), plain), false));
    assertThat(f.signature()).isEqualTo(Signature.TLS);
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason())
        .startsWith(
            "tls framing claims encryption but the tls record chain broke at stream byte 69"
                + " after 1 record; content: structured bytes");
  }

  @Test
  void aFakeRecordHeaderInFrontOfCompressedDataBreaksTheChain() {
    byte[] compressed = PayloadClassifierTest.deflate(PayloadClassifierTest.text(600_000, 4));
    PayloadFeatures f = judge(stream(concat(FAKE_TLS, random(64, 5), compressed), false));
    assertThat(f.verdict()).isEqualTo(Verdict.COMPRESSED);
    assertThat(f.reason()).contains("record chain broke");
  }

  @Test
  void aRecordHeaderWhoseBodyIsPlaintextIsReadable() {
    // one well-formed record claiming 16 KiB, then a header where it ends: a NULL cipher, or a
    // forger
    // who sized the header to the plaintext behind it
    byte[] plain = PayloadClassifierTest.text(200_000, 6);
    PayloadFeatures f = judge(stream(tlsRecords(0x17, plain), false));
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason()).contains("tls application-data bodies not uniform");
  }

  @Test
  void aMidStreamTlsFlowIsFoundByItsChain() {
    byte[] records = tlsRecords(0x17, random(300_000, 7));
    byte[] fromMidRecord = Arrays.copyOfRange(records, 5000, records.length);
    PayloadFeatures f = judge(stream(fromMidRecord, true));
    assertThat(f.signature()).isEqualTo(Signature.TLS);
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
  }

  @Test
  void aMidStreamFlowIsJudgedOnContentNotItsFirstBytes() {
    byte[] plain =
        concat(
            "QEVM".getBytes(StandardCharsets.US_ASCII),
            FAKE_TLS,
            PayloadClassifierTest.memoryLike(100_000, 8));
    PayloadFeatures f = judge(stream(plain, true));
    assertThat(f.signature()).isEqualTo(Signature.NONE);
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
  }

  @Test
  void aGapOverARecordHeaderIsNotSplicedButSearchedAgain() {
    byte[] records = tlsRecords(0x17, random(300_000, 9));
    PayloadSample s =
        new PayloadSample(
            AgentConfig.DEFAULT_SAMPLE_BYTES, AgentConfig.DEFAULT_SAMPLE_BYTES_PER_PACKET);
    int lostFrom = 16384;
    int lostTo = 16389 + 2000; // the second header and 2000 body bytes are missing
    feed(s, records, 0, lostFrom);
    s.gap(lostFrom, lostTo - lostFrom);
    feed(s, records, lostTo, records.length);
    PayloadFeatures f = judge(s);
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(f.reason()).doesNotContain("broke");
  }

  @Test
  void aFakeSshBannerInFrontOfPlaintextBreaksAtTheFirstPacket() {
    byte[] plain = PayloadClassifierTest.memoryLike(200_000, 10);
    PayloadFeatures f =
        judge(
            stream(
                concat("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII), plain),
                false));
    assertThat(f.signature()).isEqualTo(Signature.SSH);
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason()).contains("no ssh key-exchange packet where the previous one ended");
  }

  @Test
  void sshIsEncryptedAfterNewKeysOnly() {
    byte[] kex =
        concat(
            "SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII),
            sshPacket(20, PayloadClassifierTest.text(900, 11)),
            sshPacket(30, random(40, 12)),
            sshPacket(21, new byte[0]));
    PayloadFeatures f = judge(stream(concat(kex, random(100_000, 13)), false));
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(f.reason()).contains("ssh NEWKEYS after 3 packets, bytes after it uniform");
  }

  @Test
  void sshPacketsInClearWithoutNewKeysAreJudgedOnContent() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("SSH-2.0-x\r\n".getBytes(StandardCharsets.US_ASCII));
    byte[] memory = PayloadClassifierTest.memoryLike(120_000, 14);
    for (int off = 0;
        off < memory.length;
        off += 8000) { // SSH_MSG_IGNORE (2) carrying memory in clear
      out.writeBytes(sshPacket(2, Arrays.copyOfRange(memory, off, off + 8000)));
    }
    PayloadFeatures f = judge(stream(out.toByteArray(), false));
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason()).contains("without NEWKEYS");
  }

  @Test
  void everyReasonFitsTheAnalyzersTextBound() {
    byte[] compressed = PayloadClassifierTest.deflate(PayloadClassifierTest.text(600_000, 17));
    PayloadFeatures f =
        judge(stream(tlsRecords(0x17, compressed), false)); // bodies compressed: the longest
    assertThat(f.verdict()).isEqualTo(Verdict.COMPRESSED);
    assertThat(f.reason()).contains("tls application-data bodies not uniform");
    assertThat(f.reason().length()).isLessThanOrEqualTo(PayloadClassifier.MAX_REASON_CHARS);
  }

  @Test
  void espBodiesInClearAreNotEncrypted() {
    PayloadSample s = stream(PayloadClassifierTest.memoryLike(100_000, 15), false);
    PayloadFeatures f = PayloadClassifier.classify(true, s, new PayloadSample(1024, 512));
    assertThat(f.signature()).isEqualTo(Signature.ESP);
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason()).contains("esp bodies are not uniform");
  }

  @Test
  void espBodiesOfCiphertextAreEncrypted() {
    PayloadFeatures f =
        PayloadClassifier.classify(
            true, stream(random(100_000, 16), false), new PayloadSample(1024, 512));
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
  }
}
