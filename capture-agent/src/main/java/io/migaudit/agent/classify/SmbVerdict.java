package io.migaudit.agent.classify;

import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;

/**
 * The verdict on an SMB2/3 connection from its message framing ({@link SmbFramingReader}) rather
 * than from its first bytes: negotiate and session setup travel in clear even when the session is
 * encrypted, and every message after them then carries the 52-byte transform header, so the
 * statistics of the whole stream mix clear handshakes, headers and ciphertext. The session counts
 * as encrypted only when every message after session setup, in both directions, is transformed and
 * the encrypted bodies alone are uniform; transform headers over bodies that are not uniform are
 * framing that claims encryption over readable content, and the verdict follows the content. A
 * session without transform headers (signing only, or plain SMB2) and a framing the reader lost are
 * left to the caller's judgement of the content.
 *
 * @param signature what the framing showed
 * @param verdict the verdict
 * @param reason why, for the record
 */
record SmbVerdict(Signature signature, Verdict verdict, String reason) {

  /** The judgement of the dominant direction's SMB framing, or null to judge by content alone. */
  static SmbVerdict of(PayloadSample dominant, PayloadSample other) {
    SmbFramingReader main = dominant.smbFraming();
    if (main == null || main.lost() || main.transformed() == 0) {
      return null;
    }
    SmbFramingReader back = other.smbFraming();
    long clear = main.otherInClear() + (back == null || back.lost() ? 0 : back.otherInClear());
    if (clear > 0) {
      ByteStatistics leaked = main.clearBodyStatistics();
      Verdict v =
          PayloadClassifier.looksCompressed(leaked) ? Verdict.COMPRESSED : Verdict.PLAINTEXT;
      return new SmbVerdict(
          Signature.SMB3_ENCRYPTED,
          v,
          "smb3: "
              + clear
              + " message(s) after setup in clear beside "
              + main.transformed()
              + " encrypted (clear bodies: "
              + leaked.describe()
              + ")");
    }
    ByteStatistics bodies = main.bodyStatistics();
    String counted = main.transformed() + " messages after setup transformed";
    if (bodies.n() < PayloadClassifier.MIN_SAMPLED_BYTES) {
      return new SmbVerdict(
          Signature.SMB3_ENCRYPTED,
          Verdict.UNKNOWN,
          "smb3: " + counted + ", only " + bodies.n() + " encrypted body bytes sampled");
    }
    if (bodies.chiSquare() <= ByteStatistics.uniformChiSquareLimit()) {
      return new SmbVerdict(
          Signature.SMB3_ENCRYPTED,
          Verdict.ENCRYPTED,
          "smb3 encrypted: " + counted + ", bodies uniform (" + bodies.describe() + ")");
    }
    Verdict v = PayloadClassifier.looksCompressed(bodies) ? Verdict.COMPRESSED : Verdict.PLAINTEXT;
    return new SmbVerdict(
        Signature.SMB3_ENCRYPTED,
        v,
        "smb3 transform over readable content: "
            + counted
            + ", bodies not uniform ("
            + bodies.describe()
            + ")");
  }
}
