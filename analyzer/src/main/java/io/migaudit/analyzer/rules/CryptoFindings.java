package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.CryptoPolicy;
import io.migaudit.record.EspProtection;
import io.migaudit.record.Handshake;
import io.migaudit.record.IkeProposals;
import io.migaudit.record.SshHandshake;
import io.migaudit.record.TlsCertificate;
import io.migaudit.record.TlsHandshake;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What is weak in a handshake under a {@link CryptoPolicy}: one short finding per weakness, and
 * whether any of them leaves the payload without encryption at all (a NULL suite, SSH {@code none},
 * ESP-NULL, IKE's ENCR_NULL). Pure: a handshake and a policy in, findings out.
 *
 * @param findings e.g. "tls version TLS 1.0 below TLS 1.2", "tls suite TLS_RSA_WITH_NULL_SHA: NULL
 *     cipher"
 * @param noEncryption true when a finding means the payload is not encrypted
 */
public record CryptoFindings(List<String> findings, boolean noEncryption) {
  /** SSH ciphers that are AEAD: their MAC is built in and the negotiated MAC is unused. */
  private static final List<String> SSH_AEAD = List.of("gcm@openssh.com", "chacha20-poly1305");

  public boolean any() {
    return !findings.isEmpty();
  }

  /** The findings of {@code h} under {@code policy} at time {@code at} (the flow's). */
  public static CryptoFindings of(Handshake h, CryptoPolicy policy, Instant at) {
    Collector c = new Collector(policy);
    if (h.tls() != null) {
      c.tls(h.tls(), at);
    }
    if (h.ssh() != null) {
      c.ssh(h.ssh());
    }
    if (h.esp() != null) {
      c.esp(h.esp());
    }
    if (h.ike() != null) {
      c.ike(h.ike());
    }
    return new CryptoFindings(List.copyOf(c.findings), c.noEncryption);
  }

  /**
   * What in {@code h} says the migration's own framing carries it unencrypted: a NULL TLS suite or
   * an SSH {@code none} cipher; null when nothing does. ESP-NULL is left out: what it carries in
   * clear may itself be encrypted (TLS inside ESP-NULL), which the verdict judges.
   */
  public static String unencryptedBy(Handshake h) {
    if (h == null) {
      return null;
    }
    if (h.tls() != null && nullTlsSuite(h.tls().cipherSuite())) {
      return "tls suite " + h.tls().cipherSuite() + " does not encrypt";
    }
    SshHandshake s = h.ssh();
    if (s != null
        && ("none".equals(s.cipherClientToServer()) || "none".equals(s.cipherServerToClient()))) {
      return "ssh cipher none: the tunnel does not encrypt";
    }
    return null;
  }

  /**
   * True when a TLS suite name says it does not encrypt (TLS_*_WITH_NULL_*,
   * TLS_NULL_WITH_NULL_NULL).
   */
  public static boolean nullTlsSuite(String suite) {
    return suite != null && (suite.contains("_WITH_NULL_") || suite.startsWith("TLS_NULL_"));
  }

  /** Gathers findings while the parts of a handshake are judged. */
  private static final class Collector {
    final CryptoPolicy policy;
    final List<String> findings = new ArrayList<>();
    boolean noEncryption;

    Collector(CryptoPolicy policy) {
      this.policy = policy;
    }

    void tls(TlsHandshake t, Instant at) {
      if (t.version() != null && policy.belowMinimum(t.version())) {
        findings.add("tls version " + t.version() + " below " + policy.minTlsVersion());
      }
      String suite = t.cipherSuite();
      if (suite != null) {
        tlsSuite(suite);
      }
      if (policy.requireClientAuth()
          && TlsHandshake.CLIENT_CERT_NOT_REQUESTED.equals(t.clientCertificate())) {
        findings.add("tls server does not ask for a client certificate");
      }
      TlsCertificate cert = t.certificate();
      if (cert != null) {
        if (policy.rejectSelfSigned() && cert.selfSigned()) {
          findings.add("tls certificate is self-signed");
        }
        if (policy.rejectExpired()
            && at != null
            && cert.notAfter() != null
            && cert.notBefore() != null
            && (at.isAfter(cert.notAfter()) || at.isBefore(cert.notBefore()))) {
          findings.add(
              "tls certificate not valid at the time ("
                  + cert.notBefore()
                  + " to "
                  + cert.notAfter()
                  + ")");
        }
      }
    }

    private void tlsSuite(String suite) {
      String weak = null;
      if (nullTlsSuite(suite)) {
        weak = "NULL cipher";
        noEncryption = true;
      } else if (suite.contains("EXPORT")) {
        weak = "EXPORT cipher";
      } else if (suite.contains("_RC4_")) {
        weak = "RC4";
      } else if (suite.contains("3DES") || suite.contains("_DES_") || suite.contains("DES40")) {
        weak = "DES/3DES";
      } else if (suite.contains("_CBC_") && suite.endsWith("_SHA")) {
        weak = "CBC with SHA-1";
      } else if (policy.requireForwardSecrecy() && suite.startsWith("TLS_RSA_WITH_")) {
        weak = "RSA key exchange, no forward secrecy";
      }
      String denied = policy.denied(suite);
      if (weak == null && denied != null) {
        weak = "denied by the policy (" + denied + ")";
      }
      if (weak != null) {
        findings.add("tls suite " + suite + ": " + weak);
      }
    }

    void ssh(SshHandshake s) {
      sshCipher("client-to-server", s.cipherClientToServer(), s.macClientToServer());
      sshCipher("server-to-client", s.cipherServerToClient(), s.macServerToClient());
    }

    private void sshCipher(String direction, String cipher, String mac) {
      if (cipher == null) {
        return;
      }
      String lower = cipher.toLowerCase(Locale.ROOT);
      String weak = null;
      if (lower.equals("none")) {
        weak = "no encryption";
        noEncryption = true;
      } else if (lower.startsWith("arcfour")) {
        weak = "RC4";
      } else if (lower.endsWith("-cbc") || lower.endsWith("-cbc@lysator.liu.se")) {
        weak = "CBC mode";
      } else if (policy.denied(cipher) != null) {
        weak = "denied by the policy (" + policy.denied(cipher) + ")";
      }
      if (weak != null) {
        findings.add("ssh cipher " + direction + " " + cipher + ": " + weak);
      }
      boolean aead = SSH_AEAD.stream().anyMatch(lower::contains);
      if (mac != null && !aead) {
        String macLower = mac.toLowerCase(Locale.ROOT);
        if (macLower.equals("none")
            || macLower.startsWith("hmac-md5")
            || policy.denied(mac) != null) {
          findings.add(
              "ssh mac "
                  + direction
                  + " "
                  + mac
                  + ": "
                  + (macLower.equals("none")
                      ? "no integrity"
                      : macLower.startsWith("hmac-md5")
                          ? "MD5"
                          : "denied by the policy (" + policy.denied(mac) + ")"));
        }
      }
    }

    void esp(EspProtection e) {
      if (e.nullEncryption()) {
        findings.add(
            "esp payload not encrypted (ESP-NULL, inner " + e.innerProtocol() + " in clear)");
        noEncryption = true;
      }
    }

    void ike(IkeProposals p) {
      List<String> judged = p.chosen().isEmpty() ? p.offered() : p.chosen();
      String which = p.chosen().isEmpty() ? "offers" : "chose";
      for (String t : judged) {
        String weak =
            t.startsWith("ENCR_NULL") && !t.startsWith("ENCR_NULL_AUTH")
                ? "no encryption"
                : t.startsWith("ENCR_DES") || t.startsWith("ENCR_3DES")
                    ? "DES/3DES"
                    : t.startsWith("PRF_HMAC_MD5") || t.startsWith("AUTH_HMAC_MD5")
                        ? "MD5"
                        : policy.denied(t) != null
                            ? "denied by the policy (" + policy.denied(t) + ")"
                            : null;
        if (weak != null) {
          findings.add("ike " + which + " " + t + ": " + weak);
          noEncryption |= weak.equals("no encryption") && !p.chosen().isEmpty();
        }
      }
    }
  }
}
