package io.migaudit.agent.classify;

import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;

/**
 * Checks a signature's claim of encryption against the bytes it covers (DESIGN: "verdicts follow
 * content"). TLS and SSH are judged by their framing followers ({@link TlsRecordFollower}, {@link
 * SshPacketFollower}); ESP by its bodies, sampled past the SPI, sequence number and IV. An SMB3
 * transform-header validator plugs in as another {@link FramingFollower} made by {@link
 * PayloadSample}; until one exists an SMB3 transform claim is held against the direction's content
 * as a whole and disagrees only when that content reads as plaintext.
 */
final class EncryptionEvidence {
  private EncryptionEvidence() {}

  /** The check of {@code signature}'s claim over the direction {@code carrier} that showed it. */
  static FramingCheck of(Signature signature, PayloadSample carrier, ByteStatistics dominant) {
    if (signature == Signature.SMB3_ENCRYPTED) {
      FramingCheck followed = carrier.framingCheck(signature);
      if (followed.agrees()
          || followed.disagreement() != null && !followed.disagreement().startsWith("no ")) {
        return followed;
      }
      return PayloadClassifier.byStatistics(dominant) == Verdict.PLAINTEXT
          ? FramingCheck.disagreed(
              "the payload under the smb3 transform headers reads as plaintext")
          : FramingCheck.agreed("content not readable; transform framing not followed");
    }
    return carrier.framingCheck(signature);
  }

  /**
   * ESP bodies must look encrypted: ESP-NULL (RFC 2410) carries its payload in clear. {@code cut}
   * when the capture cut the flow's packets at its snap length: uniform-looking bodies then need
   * {@link PayloadClassifier#MIN_UNIFORM_BYTES}, as any cut flow's bytes do.
   */
  static FramingCheck esp(ByteStatistics bodies, boolean cut) {
    if (bodies.n() < PayloadClassifier.MIN_SAMPLED_BYTES) {
      return FramingCheck.tooFewToJudge(bodies.n() + " bytes of esp bodies: too few to judge");
    }
    if (bodies.chiSquare() <= ByteStatistics.uniformChiSquareLimit()) {
      return cut && bodies.n() < PayloadClassifier.MIN_UNIFORM_BYTES
          ? FramingCheck.tooFewToJudge(
              bodies.n()
                  + " bytes of uniform-looking esp bodies from packets cut: too few to judge")
          : FramingCheck.agreed("esp bodies uniform");
    }
    return FramingCheck.disagreed(
        "the esp bodies are not uniform (ESP-NULL or a cleartext payload)");
  }
}
