package io.migaudit.agent.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.SampleCaptures;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Verdict;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The samples of bytes the stream does not take (samples/README.md): three insertion attacks on a
 * plaintext vMotion stream, where the tracker keeps forged random segments and the real ones arrive
 * as "retransmissions" or outside its window, and real loss on an encrypted one, where the kernel's
 * retransmissions are copies of ciphertext.
 */
class BehindTheStreamSamplesTest {
  private static FlowRecord migration(String sample) throws IOException {
    return SampleCaptures.finalRecords(sample).stream()
        .filter(r -> r.dstPort() == 8000)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void forgedCopiesBeforeEachSegmentDoNotHideThePlaintext() throws IOException {
    FlowRecord r = migration("insertion-shadowed-plaintext");
    assertThat(r.stream().retransmittedSegments()).isGreaterThanOrEqualTo(60);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.payload().reason()).startsWith("bytes the stream did not take");
  }

  @Test
  void aForgedSegmentAheadDoesNotHideThePlaintextBehindIt() throws IOException {
    FlowRecord r = migration("insertion-leap-plaintext");
    assertThat(r.stream().gapBytes()).as("the forged segment 1 MiB ahead").isPositive();
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.payload().reason()).startsWith("bytes the stream did not take");
  }

  @Test
  void aForgedStreamFarAwayDoesNotHideThePlaintextOutsideTheWindow() throws IOException {
    FlowRecord r = migration("insertion-decoy-plaintext");
    assertThat(r.stream().outOfWindowSegments()).isGreaterThanOrEqualTo(60);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(r.payload().reason()).startsWith("bytes the stream did not take");
  }

  @Test
  void aForgedResetDoesNotEndWhatItsDataGoesOnWith() throws IOException {
    List<FlowRecord> flows =
        SampleCaptures.finalRecords("insertion-reset-plaintext").stream()
            .filter(r -> r.dstPort() == 8000)
            .toList();
    assertThat(flows).hasSize(2);
    assertThat(flows.get(0).endReason()).isEqualTo("rst");
    assertThat(flows.get(0).payload().sampledBytes()).isZero();
    assertThat(flows.get(1).payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
  }

  @Test
  void realRetransmissionsOfCiphertextLeaveItEncrypted() throws IOException {
    FlowRecord r = migration("vmotion-encrypted-lossy");
    assertThat(r.stream().retransmittedSegments())
        .as("the kernel's retransmissions of what the port lost")
        .isGreaterThanOrEqualTo(30);
    assertThat(r.payload().verdict()).isEqualTo(Verdict.ENCRYPTED);
  }
}
