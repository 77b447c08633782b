package io.migaudit.agent.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bytes that came behind a TCP stream are judged apart, past the place of its clear handshake, with
 * the later windows' thresholds.
 */
class BehindBytesTest {
  private static final int SEGMENT = 1448;
  private static final long PAST_HANDSHAKE = BehindBytes.FROM_STREAM_OFFSET;

  private static ByteBuffer readable(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i % 4096 < 2048 ? 0 : "process 4242 started\n".charAt(i % 21));
    }
    return ByteBuffer.wrap(b);
  }

  private static ByteBuffer uniform(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return ByteBuffer.wrap(b);
  }

  /** Adds {@code bytes} as segments of {@link #SEGMENT} from {@code streamOffset} on. */
  private static void addSegments(BehindBytes behind, long streamOffset, ByteBuffer bytes) {
    for (int at = 0; at < bytes.capacity(); at += SEGMENT) {
      int length = Math.min(SEGMENT, bytes.capacity() - at);
      behind.add(streamOffset + at, bytes, at, length, false);
    }
  }

  @Test
  void readableBytesBehindTheStreamAreAFinding() {
    BehindBytes behind = new BehindBytes(1500, 7);
    addSegments(behind, PAST_HANDSHAKE, readable(ResampleWindow.WINDOW_BYTES));
    assertThat(behind.finding()).isNotNull();
    assertThat(behind.finding().entropy()).isLessThan(ResampleWindow.READABLE_ENTROPY);
  }

  @Test
  void uniformBytesBehindTheStreamAreNone() {
    BehindBytes behind = new BehindBytes(1500, 7);
    addSegments(behind, PAST_HANDSHAKE, uniform(4 * ResampleWindow.WINDOW_BYTES, 11));
    assertThat(behind.finding()).isNull();
    assertThat(behind.bytesBehind()).isEqualTo(4L * ResampleWindow.WINDOW_BYTES);
  }

  /**
   * Retransmitted records of a direction whose sample showed clear headers (AES-GCM records of 2
   * KiB): they fail the uniform test as its windows do (the control: a direction not framed), and
   * are judged as its windows are; compressed pages behind the same headers, or readable bytes,
   * still are a finding.
   */
  @Test
  void copiesOfRecordsBehindClearHeadersAreJudgedAsTheDirectionsWindows() throws Exception {
    ByteBuffer records =
        ByteBuffer.wrap(
            CiphertextBehindHeadersTest.sealedRecords(4 * ResampleWindow.WINDOW_BYTES, 2048));
    BehindBytes notFramed = new BehindBytes(1500, 7);
    addSegments(notFramed, PAST_HANDSHAKE, records);
    assertThat(notFramed.finding()).as("a direction not framed").isNotNull();
    BehindBytes framed = new BehindBytes(1500, 7, () -> true);
    addSegments(framed, PAST_HANDSHAKE, records);
    assertThat(framed.finding()).as("a framed direction").isNull();

    byte[] compressed = PageStreams.rawDeflate(PageStreams.memoryLike(8 << 20, 19), 6);
    BehindBytes framedCompressed = new BehindBytes(1500, 7, () -> true);
    addSegments(
        framedCompressed,
        PAST_HANDSHAKE,
        ByteBuffer.wrap(
            java.util.Arrays.copyOf(
                ResampleWindowTest.framedAs(compressed, 2048), ResampleWindow.WINDOW_BYTES)));
    assertThat(framedCompressed.finding()).as("compressed pages behind headers").isNotNull();
    BehindBytes framedReadable = new BehindBytes(1500, 7, () -> true);
    addSegments(framedReadable, PAST_HANDSHAKE, readable(ResampleWindow.WINDOW_BYTES));
    assertThat(framedReadable.finding()).as("readable bytes").isNotNull();
  }

  @Test
  void theHandshakesPlaceIsNotJudged() {
    BehindBytes behind = new BehindBytes(1500, 7);
    int readable = (int) PAST_HANDSHAKE;
    addSegments(behind, 0, readable(readable));
    assertThat(behind.bytesBehind()).isZero();
    assertThat(behind.finding()).isNull();
    // a segment across the line gives only what lies past it
    behind.add(PAST_HANDSHAKE - 100, readable(SEGMENT), 0, SEGMENT, false);
    assertThat(behind.bytesBehind()).isEqualTo(SEGMENT - 100);
  }

  @Test
  void aCutSegmentGivesNothingOfItsFirstBytes() {
    BehindBytes behind = new BehindBytes(1500, 7);
    behind.add(PAST_HANDSHAKE, readable(200), 0, 200, true);
    assertThat(behind.bytesBehind()).isEqualTo(200 - PayloadSample.CUT_SEGMENT_UNSAMPLED_BYTES);
  }

  @Test
  void aWindowStillFillingIsJudgedOnlyWithEnoughBytes() {
    BehindBytes few = new BehindBytes(1500, 7);
    addSegments(few, PAST_HANDSHAKE, readable(BehindBytes.MIN_JUDGED_BYTES - SEGMENT));
    assertThat(few.finding()).isNull();
    BehindBytes enough = new BehindBytes(1500, 7);
    addSegments(enough, PAST_HANDSHAKE, readable(BehindBytes.MIN_JUDGED_BYTES));
    assertThat(enough.finding()).isNotNull();
  }

  @Test
  void aFindingStaysWhenUniformBytesFollow() {
    BehindBytes behind = new BehindBytes(1500, 7);
    addSegments(behind, PAST_HANDSHAKE, readable(ResampleWindow.WINDOW_BYTES));
    addSegments(
        behind,
        PAST_HANDSHAKE + ResampleWindow.WINDOW_BYTES,
        uniform(8 * ResampleWindow.WINDOW_BYTES, 12));
    assertThat(behind.finding()).isNotNull();
  }

  @Test
  void afterTheFirstWindowsLaterBytesAreStillJudged() {
    BehindBytes behind = new BehindBytes(1500, 7);
    long at = PAST_HANDSHAKE;
    // more than the windows judged back to back hold (a window's last segment gives only its fill)
    int uniform = 2 * BehindBytes.WINDOWS_BACK_TO_BACK * ResampleWindow.WINDOW_BYTES;
    addSegments(behind, at, uniform(uniform, 13));
    assertThat(behind.finding()).isNull();
    // a sender honest for a while, then hiding plaintext: one window in every 8 MiB sees it. Two
    // intervals of it: the first interval starts inside the honest bytes, and its window, placed
    // by a secret of the process, may fall there; the second's falls wholly in the plaintext
    addSegments(behind, at + uniform, readable((int) (2 * ResampleWindow.INTERVAL_BYTES)));
    assertThat(behind.finding()).isNotNull();
    assertThat(behind.finding().entropy()).isLessThan(ResampleWindow.READABLE_ENTROPY);
  }
}
