package io.migaudit.agent.classify;

import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.util.Locale;

/**
 * Decides whether a flow's payload is readable: signatures first (TLS, SSH, SMB3 transform, ESP
 * mean encrypted; QEMU, SMB2 and vMotion framing mean cleartext; zlib/zstd/lz4/gzip mean
 * compressed), then byte statistics of the direction that carried the most payload. Compressed data
 * has high entropy but a histogram far from uniform; encrypted data is uniform; plaintext has low
 * entropy. A QEMU multifd channel whose packet headers name a compression method is compressed on
 * their word. Evidence must agree: a signature that means encrypted yields {@link
 * Verdict#ENCRYPTED} only when {@link EncryptionEvidence} finds its framing held over the stream
 * and the bytes it covers look encrypted; otherwise the verdict follows the content and the reason
 * says what disagreed. An SMB connection is judged by its message framing ({@link SmbVerdict}):
 * encrypted only when every message after session setup is transformed and the encrypted bodies are
 * uniform. A long flow's later windows ({@link ResampleWindow}) can still turn the verdict: a
 * readable window makes any flow plaintext, and a window far from uniform in the bulk direction
 * makes an encrypted flow compressed (or plaintext). Bytes of a TCP direction that its stream did
 * not take ({@link BehindBytes}) that are readable or not uniform make a flow that was not readable
 * follow them.
 */
public final class PayloadClassifier {
  /** Fewer sampled bytes than this give {@link Verdict#UNKNOWN}. */
  public static final int MIN_SAMPLED_BYTES = 1024;

  /**
   * In a capture cut by its snap length, fewer sampled bytes than this cannot tell encrypted from
   * compressed by statistics alone: a fast compressor's output exceeds uniform's chi-square by
   * 0.007-0.04 per byte (BENCHMARKS.md, "Later windows that stop looking encrypted"), so under 16
   * KiB deflate -6 still passes the uniform test, and a cut capture samples few bytes a segment. A
   * uniform-looking sample of a cut flow smaller than this is {@link Verdict#UNKNOWN}. Whole
   * captures keep {@link #MIN_SAMPLED_BYTES}: there a short uniform flow is most often what it
   * looks like (a migration's small reverse stream), and a migration's own sample is 256 KiB.
   */
  public static final int MIN_UNIFORM_BYTES = 16 << 10;

  /** Longest reason written: the analyzer refuses records with longer text fields. */
  public static final int MAX_REASON_CHARS = PayloadFeatures.MAX_REASON_CHARS;

  /** How far below the entropy of uniform bytes a sample may fall and still count as compressed. */
  private static final double COMPRESSED_ENTROPY_MARGIN = 0.6;

  private static final String[] TOO_FEW_BYTES = new String[MIN_SAMPLED_BYTES];

  private PayloadClassifier() {}

  /** Features of a flow from its two direction samples; {@code esp} for IPsec ESP flows. */
  public static PayloadFeatures classify(
      boolean esp, PayloadSample initiator, PayloadSample responder) {
    PayloadSample dominant =
        initiator.sampledBytes() >= responder.sampledBytes() ? initiator : responder;
    ByteStatistics stats = dominant.statistics();
    Signature signature = esp ? Signature.ESP : signatureOf(initiator, responder);
    Verdict verdict;
    String reason;
    SmbVerdict smb =
        isSmb(signature)
            ? SmbVerdict.of(dominant, dominant == initiator ? responder : initiator)
            : null;
    if (smb != null) {
      signature = smb.signature();
    }
    int cutSegments = initiator.cutSegments() + responder.cutSegments();
    if (smb == null && cutSegments > 0 && smbLost(signature, dominant)) {
      Verdict v = byCutContent(stats);
      smb =
          new SmbVerdict(
              signature,
              v,
              "smb framing lost at a segment the capture cut at its snap length ("
                  + cutSegments
                  + " cut), before any message after session setup was judged; "
                  + cutContentReason(v, dominant));
    }
    // SMB framing decides when it was followed; a transform header it did not confirm is a claim to
    // check.
    boolean byContent = smb != null;
    switch (byContent ? Signature.NONE : signature) {
      case TLS, SSH, SMB3_ENCRYPTED, ESP -> {
        FramingCheck check =
            esp
                ? EncryptionEvidence.esp(stats, cutSegments > 0)
                : EncryptionEvidence.of(signature, carrier(signature, initiator, responder), stats);
        if (!check.judged() && cutSegments > 0) {
          verdict = byCutContent(stats);
          reason =
              signature.wire()
                  + (check.agrees()
                      ? " framing held (" + check.description() + ")"
                      : " framing could not be followed (" + check.disagreement() + ")")
                  + ", and the capture cut "
                  + cutSegments
                  + " segments at its snap length; "
                  + cutContentReason(verdict, dominant);
        } else if (check.agrees()) {
          verdict = Verdict.ENCRYPTED;
          reason =
              signature.wire()
                  + " framing: the payload is encrypted by the protocol ("
                  + check.description()
                  + ")";
        } else {
          verdict = byStatistics(stats, cutSegments > 0);
          reason =
              signature.wire()
                  + " framing claims encryption but "
                  + check.disagreement()
                  + "; content: "
                  + reasonFor(verdict, dominant);
        }
      }
      case ZLIB, GZIP, ZSTD, LZ4, SMB3_COMPRESSED -> {
        verdict = Verdict.COMPRESSED;
        reason = signature.wire() + " stream: compressed, not encrypted";
      }
      case QEMU_MULTIFD -> {
        MultifdCompression method = multifdCompression(initiator, responder);
        verdict =
            method.compresses() || looksCompressed(stats) ? Verdict.COMPRESSED : Verdict.PLAINTEXT;
        reason =
            signature.wire()
                + " framing in clear, "
                + describe(method)
                + " ("
                + dominant.statisticsText()
                + ")";
      }
      case QEMU_POSTCOPY -> {
        verdict = looksCompressed(stats) ? Verdict.COMPRESSED : Verdict.PLAINTEXT;
        reason =
            signature.wire()
                + " framing in clear: "
                + postcopyChannel(initiator, responder, dominant);
      }
      case QEMU, SMB2, VMOTION -> {
        verdict = looksCompressed(stats) ? Verdict.COMPRESSED : Verdict.PLAINTEXT;
        reason = signature.wire() + " framing in clear (" + dominant.statisticsText() + ")";
      }
      default -> {
        verdict = smb != null ? smb.verdict() : byStatistics(stats, cutSegments > 0);
        reason = smb != null ? smb.reason() : reasonFor(verdict, dominant);
        String unfollowed =
            smb == null && cutSegments == 0 && verdict.readable()
                ? UnfollowedCiphertext.reason(dominant)
                : null;
        if (unfollowed != null) {
          verdict = Verdict.ENCRYPTED;
          reason = unfollowed;
        }
      }
    }
    Verdict firstVerdict = verdict;
    PayloadSample later = initiator.readableLaterAt() >= 0 ? initiator : responder;
    if (!verdict.readable() && later.readableLaterAt() >= 0) {
      reason =
          String.format(
              Locale.ROOT,
              "payload turned readable after %.1f MiB (window entropy %.2f bits/byte);"
                  + " earlier: %s",
              later.readableLaterAt() / 1048576.0,
              later.readableLaterEntropy(),
              reason);
      verdict = Verdict.PLAINTEXT;
    } else if (verdict == Verdict.ENCRYPTED) {
      PayloadSample bulk =
          initiator.payloadSeen() >= responder.payloadSeen() ? initiator : responder;
      if (bulk.notUniformLaterAt() >= 0) {
        ByteStatistics lateWindow = bulk.notUniformLaterStatistics();
        Verdict window = looksCompressed(lateWindow) ? Verdict.COMPRESSED : Verdict.PLAINTEXT;
        reason =
            String.format(
                Locale.ROOT,
                "payload stopped looking encrypted after %.1f MiB (window chi-square %.0f,"
                    + " entropy %.2f bits/byte: %s); earlier: %s",
                bulk.notUniformLaterAt() / 1048576.0,
                lateWindow.chiSquare(),
                lateWindow.entropy(),
                window == Verdict.COMPRESSED ? "compressed, not encrypted" : "structured bytes",
                reason);
        verdict = window;
      }
    }
    ByteStatistics behind = verdict.readable() ? null : initiator.behindFinding();
    if (behind == null && !verdict.readable()) {
      behind = responder.behindFinding();
    }
    if (behind != null) {
      Verdict copies =
          behind.entropy() >= ResampleWindow.READABLE_ENTROPY && looksCompressed(behind)
              ? Verdict.COMPRESSED
              : Verdict.PLAINTEXT;
      reason =
          "bytes the stream did not take (retransmissions, overlaps, segments outside its"
              + " window) are "
              + (copies == Verdict.COMPRESSED ? "compressed" : "readable")
              + " ("
              + behind.describe()
              + "), unlike what it took: forged segments came first or led it away, and what went"
              + " in clear is judged; the stream: "
              + reason;
      verdict = copies;
    }
    // what still looks encrypted (or, its statistics alone, compressed) may be a reused keystream
    boolean uniformOrUnframedCompressed =
        verdict == Verdict.ENCRYPTED
            || (verdict == Verdict.COMPRESSED
                && firstVerdict == Verdict.COMPRESSED
                && signature == Signature.NONE);
    KeystreamReuse.Period period =
        behind == null && uniformOrUnframedCompressed
            ? reusedKeystream(initiator, responder)
            : null;
    if (period != null) {
      reason =
          "keystream reused every "
              + period.lag()
              + " bytes ("
              + period.describe()
              + "), not encryption: equal memory shows as equal bytes; statistics alone: "
              + reason;
      verdict = Verdict.PLAINTEXT;
    }
    if (signature != Signature.NONE && initiator.relayedOpening() == signature) {
      reason = "relayed, behind " + initiator.relayRequest() + ": " + reason;
    }
    return new PayloadFeatures(
        stats.n(),
        round(stats.entropy()),
        round(stats.chiSquare()),
        round(stats.zeroFraction()),
        round(stats.printableFraction()),
        signature,
        verdict,
        PayloadFeatures.boundedReason(reason));
  }

  private static boolean isSmb(Signature s) {
    return s == Signature.SMB2 || s == Signature.SMB3_ENCRYPTED || s == Signature.SMB3_COMPRESSED;
  }

  private static Signature signatureOf(PayloadSample initiator, PayloadSample responder) {
    return SignatureMatcher.match(initiator, responder);
  }

  /** The direction whose first bytes gave {@code signature} (the initiator's are matched first). */
  private static PayloadSample carrier(
      Signature signature, PayloadSample initiator, PayloadSample responder) {
    return SignatureMatcher.match(initiator) == signature ? initiator : responder;
  }

  /** The period of a keystream either direction reused, the initiator's first; or null. */
  private static KeystreamReuse.Period reusedKeystream(
      PayloadSample initiator, PayloadSample responder) {
    KeystreamReuse.Period p = initiator.reusedKeystream();
    return p != null ? p : responder.reusedKeystream();
  }

  private static MultifdCompression multifdCompression(
      PayloadSample initiator, PayloadSample responder) {
    MultifdCompression c = initiator.multifdCompression();
    return c != MultifdCompression.UNDECIDED ? c : responder.multifdCompression();
  }

  /** Which of QEMU's channels without a stream header the connection is, and what it carried. */
  private static String postcopyChannel(
      PayloadSample initiator, PayloadSample responder, PayloadSample dominant) {
    if (PostcopyChannel.onlyEndOfSection(initiator, responder)) {
      return "QEMU's postcopy preempt channel, which carried only its end-of-section word (no page"
          + " was asked for)";
    }
    String statistics = " (" + dominant.statisticsText() + ")";
    if (PostcopyChannel.opensWithResume(initiator) || PostcopyChannel.opensWithResume(responder)) {
      return "QEMU's main channel resumed after a postcopy failure (postcopy recovery), which asks"
          + " for the received-page bitmaps before the rest of the RAM, without a stream header"
          + statistics;
    }
    return "QEMU's postcopy preempt channel, RAM page records without a stream header" + statistics;
  }

  private static String describe(MultifdCompression method) {
    return switch (method) {
      case UNDECIDED -> "no page packet read yet";
      case NONE -> "packets say pages uncompressed";
      default -> "packets say " + method.wire() + " compression";
    };
  }

  /** True when {@code signature} started an SMB connection whose framing reader lost its place. */
  private static boolean smbLost(Signature signature, PayloadSample dominant) {
    SmbFramingReader reader = dominant.smbFraming();
    return isSmb(signature) && reader != null && reader.lost();
  }

  /**
   * The verdict on a stream whose framing claims encryption but could not be judged because the
   * capture cut its segments: its content is sampled past each cut segment's first bytes, and it
   * still mixes whatever went in clear (a key exchange, certificates, session setup) with the
   * ciphertext. Uniform bytes are ciphertext; bytes below {@link ResampleWindow#READABLE_ENTROPY}
   * are readable whatever the framing; anything between could be either, and is {@link
   * Verdict#UNKNOWN}.
   */
  static Verdict byCutContent(ByteStatistics stats) {
    Verdict v = byStatistics(stats, true);
    if (!v.readable()) {
      return v; // too few bytes, or uniform: as for any cut flow
    }
    return stats.entropy() < ResampleWindow.READABLE_ENTROPY ? Verdict.PLAINTEXT : Verdict.UNKNOWN;
  }

  private static String cutContentReason(Verdict verdict, PayloadSample dominant) {
    ByteStatistics stats = dominant.statistics();
    return switch (verdict) {
      case ENCRYPTED -> "content: uniform bytes (" + dominant.statisticsText() + ")";
      case PLAINTEXT -> "content: readable (" + dominant.statisticsText() + ")";
      default ->
          stats.n() < MIN_SAMPLED_BYTES
              ? "content: only " + stats.n() + " bytes sampled, too few to judge"
              : stats.chiSquare() <= ByteStatistics.uniformChiSquareLimit()
                  ? "content: " + uniformButFew(dominant)
                  : "content neither uniform nor readable ("
                      + dominant.statisticsText()
                      + "): the clear handshake and the ciphertext cannot be told apart in segment"
                      + " starts; capture whole packets";
    };
  }

  static Verdict byStatistics(ByteStatistics stats) {
    return byStatistics(stats, false);
  }

  /**
   * The verdict of byte statistics alone; {@code cut} when the capture cut the flow's segments at
   * its snap length, where a uniform-looking sample needs {@link #MIN_UNIFORM_BYTES}.
   */
  static Verdict byStatistics(ByteStatistics stats, boolean cut) {
    if (stats.n() < MIN_SAMPLED_BYTES) {
      return Verdict.UNKNOWN;
    }
    if (stats.chiSquare() <= ByteStatistics.uniformChiSquareLimit()) {
      return !cut || stats.n() >= MIN_UNIFORM_BYTES ? Verdict.ENCRYPTED : Verdict.UNKNOWN;
    }
    return looksCompressed(stats) ? Verdict.COMPRESSED : Verdict.PLAINTEXT;
  }

  static boolean looksCompressed(ByteStatistics stats) {
    return stats.n() >= MIN_SAMPLED_BYTES
        && stats.entropy()
            >= ByteStatistics.expectedUniformEntropy(stats.n()) - COMPRESSED_ENTROPY_MARGIN;
  }

  private static String reasonFor(Verdict verdict, PayloadSample dominant) {
    ByteStatistics stats = dominant.statistics();
    return switch (verdict) {
      case UNKNOWN ->
          stats.n() == 0
              ? "no payload sampled"
              : stats.n() < MIN_SAMPLED_BYTES
                  ? tooFewBytes((int) stats.n())
                  : uniformButFew(dominant);
      case ENCRYPTED -> "uniform bytes (" + dominant.statisticsText() + ")";
      case COMPRESSED ->
          "high entropy but not uniform ("
              + dominant.statisticsText()
              + "): compressed, not encrypted";
      case PLAINTEXT -> "structured bytes (" + dominant.statisticsText() + ")";
    };
  }

  private static String uniformButFew(PayloadSample dominant) {
    return "uniform-looking bytes ("
        + dominant.statisticsText()
        + "), but fewer than "
        + MIN_UNIFORM_BYTES
        + " sampled from segments cut by the snap length cannot tell encrypted from compressed";
  }

  /**
   * The reason of the many small flows (DNS, bare requests), made once per byte count and shared.
   */
  private static String tooFewBytes(int n) {
    String reason = TOO_FEW_BYTES[n];
    if (reason == null) {
      reason = "only " + n + " payload bytes sampled, " + MIN_SAMPLED_BYTES + " needed";
      TOO_FEW_BYTES[n] = reason; // a benign race: every thread would store an equal string
    }
    return reason;
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
