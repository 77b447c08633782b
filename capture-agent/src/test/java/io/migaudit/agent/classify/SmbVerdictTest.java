package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.AgentConfig;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * SMB connections judged by their message framing: MS-SMB2 session headers, SMB2 and transform
 * headers.
 */
class SmbVerdictTest {
  private static final int NEGOTIATE = 0;
  private static final int SESSION_SETUP = 1;
  private static final int WRITE = 9;
  private static final byte[] PAGE_TEXT =
      ("the guest kernel page cache holds process memory, socket"
              + " buffers and 0xffff888012345678 pointers; ")
          .getBytes(StandardCharsets.US_ASCII);

  @Test
  void everyMessageAfterSetupTransformedWithUniformBodiesIsEncrypted() {
    PayloadFeatures f = classify(session(false, i -> random(16 * 1024, i), 8));
    assertThat(f.verdict()).isEqualTo(Verdict.ENCRYPTED);
    assertThat(f.signature()).isEqualTo(Signature.SMB3_ENCRYPTED);
    assertThat(f.reason())
        .startsWith("smb3 encrypted: 8 messages after setup transformed, bodies uniform")
        .hasSizeLessThan(200);
  }

  @Test
  void transformHeadersOverReadableBodiesFollowTheContent() {
    PayloadFeatures f = classify(session(false, i -> pages(16 * 1024), 8));
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason()).startsWith("smb3 transform over readable content").hasSizeLessThan(200);
  }

  @Test
  void signedButClearWritesAreJudgedByTheirPages() {
    PayloadFeatures f = classify(session(true, i -> pages(16 * 1024), 8));
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.signature()).isEqualTo(Signature.SMB2);
  }

  @Test
  void aClearWriteAmongEncryptedOnesIsNotAnEncryptedSession() {
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    s.writeBytes(session(false, i -> random(16 * 1024, 100 + i), 6));
    s.writeBytes(smb2(WRITE, pages(16 * 1024)));
    PayloadFeatures f = classify(s.toByteArray());
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(f.reason())
        .startsWith("smb3: 1 message(s) after setup in clear beside 6 encrypted")
        .hasSizeLessThan(200);
  }

  @Test
  void aFakeTransformHeaderAtTheStartOfAPageStreamDoesNotMakeItEncrypted() {
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    s.writeBytes(transform(random(64, 3)));
    s.writeBytes(
        pages(64 * 1024)); // no framing after the first message: the reader loses its place
    PayloadFeatures f = classify(s.toByteArray());
    assertThat(f.verdict()).isEqualTo(Verdict.PLAINTEXT);
  }

  @Test
  void readerFollowsMessagesSplitAtAnyBoundary() {
    byte[] stream = session(false, i -> random(5000, 200 + i), 5);
    for (int segment : new int[] {1, 3, 19, 20, 21, 57, 1448}) {
      SmbFramingReader r = new SmbFramingReader(1 << 20);
      for (int off = 0; off < stream.length; off += segment) {
        r.add(ByteBuffer.wrap(stream), off, Math.min(segment, stream.length - off));
      }
      assertThat(r.lost()).as("segment %d", segment).isFalse();
      assertThat(r.setupInClear()).as("segment %d", segment).isEqualTo(3);
      assertThat(r.transformed()).as("segment %d", segment).isEqualTo(5);
      assertThat(r.bodyStatistics().n()).as("segment %d", segment).isEqualTo(5 * 5000);
    }
  }

  @Test
  void aLengthTooShortForAnyMessageLosesTheFraming() {
    byte[] bad = {0, 0, 0, 8, (byte) 0xFE, 'S', 'M', 'B', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    SmbFramingReader r = new SmbFramingReader(1024);
    r.add(ByteBuffer.wrap(bad), 0, bad.length);
    assertThat(r.lost()).isTrue();
  }

  /**
   * Negotiate, two session-setup rounds in clear, then {@code messages} writes, clear or
   * transformed.
   */
  private static byte[] session(boolean clear, IntFunction<byte[]> body, int messages) {
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    s.writeBytes(smb2(NEGOTIATE, new byte[100]));
    s.writeBytes(smb2(SESSION_SETUP, new byte[200]));
    s.writeBytes(smb2(SESSION_SETUP, new byte[80]));
    for (int i = 0; i < messages; i++) {
      s.writeBytes(clear ? smb2(WRITE, body.apply(i)) : transform(body.apply(i)));
    }
    return s.toByteArray();
  }

  private static byte[] smb2(int command, byte[] body) {
    byte[] header = new byte[64];
    header[0] = (byte) 0xFE;
    header[1] = 'S';
    header[2] = 'M';
    header[3] = 'B';
    header[4] = 64;
    header[12] = (byte) command;
    return framed(header, body);
  }

  private static byte[] transform(byte[] ciphertext) {
    byte[] header = new byte[SmbFramingReader.TRANSFORM_HEADER_BYTES];
    header[0] = (byte) 0xFD;
    header[1] = 'S';
    header[2] = 'M';
    header[3] = 'B';
    header[42] = 1; // Flags: encrypted
    return framed(header, ciphertext);
  }

  private static byte[] framed(byte[] header, byte[] body) {
    int length = header.length + body.length;
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    m.write(0);
    m.write(length >>> 16);
    m.write(length >>> 8);
    m.write(length);
    m.writeBytes(header);
    m.writeBytes(body);
    return m.toByteArray();
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] pages(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (i / 4096) % 3 == 0 ? 0 : PAGE_TEXT[i % PAGE_TEXT.length];
    }
    return b;
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
}
