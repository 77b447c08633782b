package io.migaudit.analyzer.consume;

import io.migaudit.record.EspProtection;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Handshake;
import io.migaudit.record.HopLimits;
import io.migaudit.record.IkeProposals;
import io.migaudit.record.SshHandshake;
import io.migaudit.record.SshKexinit;
import io.migaudit.record.StreamEvidence;
import io.migaudit.record.TlsCertificate;
import io.migaudit.record.TlsHandshake;
import io.migaudit.record.Tunnel;
import java.util.List;

/**
 * The evidence a record may carry besides its counters ({@code stream}, {@code ttl}, {@code
 * handshake}, {@code tunnel}), checked as {@link FieldCheck} checks the rest: the rules quote it
 * into alerts and judge by it, and anyone who can write to the topic may send a negative TTL, a
 * million offered cipher names or a 100 KB certificate algorithm. Bounds are the agent's own (the
 * sizes it ever writes) or the protocol's.
 */
final class EvidenceCheck {
  private static final int MAX_TTL = 255;

  /** RSA keys of 16384 bits are the largest seen in use; this leaves room and stops nonsense. */
  private static final int MAX_KEY_BITS = 1 << 16;

  private EvidenceCheck() {}

  /** The first problem of the record's evidence, or null. */
  static String problem(FlowRecord r) {
    return FieldCheck.firstNonNull(
        stream(r.stream()), ttl(r.ttl()), handshake(r.handshake()), tunnel(r.tunnel()));
  }

  /** A routed tunnel names its kind and exactly its two outer endpoints. */
  private static String tunnel(Tunnel t) {
    if (t == null) {
      return null;
    }
    if (t.kind() == null) {
      return "tunnel without kind";
    }
    if (t.endpoints().size() != 2) {
      return "tunnel with " + t.endpoints().size() + " endpoints, not 2";
    }
    return FieldCheck.firstNonNull(
        FieldCheck.text("tunnel.kind", t.kind()),
        FieldCheck.list("tunnel.endpoints", t.endpoints()));
  }

  private static String stream(StreamEvidence s) {
    return s != null
            && (s.outOfWindowSegments() < 0
                || s.retransmittedSegments() < 0
                || s.gapBytes() < 0
                || s.cutSegments() < 0)
        ? "stream evidence has a negative count"
        : null;
  }

  private static String ttl(HopLimits t) {
    return t == null
        ? null
        : FieldCheck.firstNonNull(
            range("ttl.srcToDst", t.srcToDst()), range("ttl.dstToSrc", t.dstToSrc()));
  }

  private static String range(String name, HopLimits.Range r) {
    if (r == null) {
      return null;
    }
    return r.min() < 0 || r.max() > MAX_TTL || r.min() > r.max()
        ? name + " " + r.min() + "-" + r.max() + " is not a range within 0-" + MAX_TTL
        : null;
  }

  private static String handshake(Handshake h) {
    return h == null
        ? null
        : FieldCheck.firstNonNull(tls(h.tls()), ssh(h.ssh()), esp(h.esp()), ike(h.ike()));
  }

  private static String tls(TlsHandshake t) {
    if (t == null) {
      return null;
    }
    TlsCertificate c = t.certificate();
    return FieldCheck.firstNonNull(
        FieldCheck.list("handshake.tls.offeredVersions", t.offeredVersions()),
        FieldCheck.text("handshake.tls.version", t.version()),
        FieldCheck.text("handshake.tls.cipherSuite", t.cipherSuite()),
        FieldCheck.text("handshake.tls.clientCertificate", t.clientCertificate()),
        c == null ? null : FieldCheck.text("handshake.tls.certificate", c.signatureAlgorithm()),
        c == null ? null : FieldCheck.text("handshake.tls.certificate", c.keyAlgorithm()),
        c == null
            ? null
            : FieldCheck.range("handshake.tls.certificate.keyBits", c.keyBits(), 0, MAX_KEY_BITS));
  }

  private static String ssh(SshHandshake s) {
    if (s == null) {
      return null;
    }
    return FieldCheck.firstNonNull(
        kexinit("handshake.ssh.client", s.client()),
        kexinit("handshake.ssh.server", s.server()),
        FieldCheck.text("handshake.ssh.cipherClientToServer", s.cipherClientToServer()),
        FieldCheck.text("handshake.ssh.cipherServerToClient", s.cipherServerToClient()),
        FieldCheck.text("handshake.ssh.macClientToServer", s.macClientToServer()),
        FieldCheck.text("handshake.ssh.macServerToClient", s.macServerToClient()));
  }

  private static String kexinit(String name, SshKexinit k) {
    if (k == null) {
      return null;
    }
    for (List<String> names :
        List.of(
            k.kex(),
            k.hostKey(),
            k.ciphersClientToServer(),
            k.ciphersServerToClient(),
            k.macsClientToServer(),
            k.macsServerToClient())) {
      String p = FieldCheck.list(name, names);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  private static String esp(EspProtection e) {
    if (e == null) {
      return null;
    }
    return FieldCheck.firstNonNull(
        FieldCheck.text("handshake.esp.encryption", e.encryption()),
        FieldCheck.text("handshake.esp.innerProtocol", e.innerProtocol()),
        e.packets() < 0 ? "handshake.esp.packets is negative" : null);
  }

  private static String ike(IkeProposals i) {
    if (i == null) {
      return null;
    }
    for (List<String> names : List.of(i.offered(), i.chosen())) {
      if (names.size() > IkeProposals.MAX_TRANSFORMS) {
        return "handshake.ike of "
            + names.size()
            + " transforms, more than "
            + IkeProposals.MAX_TRANSFORMS;
      }
      for (String n : names) {
        String p =
            n == null ? "handshake.ike with a null transform" : FieldCheck.text("handshake.ike", n);
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }
}
