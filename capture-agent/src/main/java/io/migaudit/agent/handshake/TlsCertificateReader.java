package io.migaudit.agent.handshake;

import io.migaudit.record.TlsCertificate;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAPublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;

/**
 * Reads the leaf of a TLS 1.2 Certificate message (RFC 5246 §7.4.2: certificate_list<0..2^24-1> of
 * ASN.1Cert<1..2^24-1>, sender's certificate first) with the JDK's X.509 parser, keeping only its
 * facts: signature algorithm, key algorithm and size, validity, self-signed. The DER bytes are
 * copied for the parser and dropped with it.
 */
final class TlsCertificateReader {
  private TlsCertificateReader() {}

  /**
   * The leaf's facts or why there are none.
   *
   * @param certificate null when {@code issue} is set or the list is empty
   * @param issue null on success
   */
  record Result(TlsCertificate certificate, HandshakeIssue issue) {}

  static Result leaf(ByteBuffer body) {
    FieldReader r = new FieldReader(body);
    FieldReader list = new FieldReader(r.vector24());
    if (r.failed()) {
      return new Result(null, HandshakeIssue.TLS_BAD_LENGTH);
    }
    if (list.remaining() == 0) {
      return new Result(null, null); // an empty list: nothing to judge
    }
    ByteBuffer der = list.vector24();
    if (list.failed()) {
      return new Result(null, HandshakeIssue.TLS_BAD_LENGTH);
    }
    byte[] bytes = new byte[der.remaining()];
    der.get(0, bytes);
    try {
      X509Certificate c =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(bytes));
      return new Result(facts(c), null);
    } catch (CertificateException | RuntimeException e) {
      return new Result(
          null, HandshakeIssue.TLS_BAD_CERTIFICATE); // the JDK parser's view of bad DER
    }
  }

  private static TlsCertificate facts(X509Certificate c) {
    PublicKey key = c.getPublicKey();
    return new TlsCertificate(
        c.getSigAlgName(),
        key.getAlgorithm(),
        keyBits(key),
        c.getNotBefore().toInstant(),
        c.getNotAfter().toInstant(),
        selfSigned(c));
  }

  static int keyBits(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      return rsa.getModulus().bitLength();
    }
    if (key instanceof ECPublicKey ec) {
      return ec.getParams().getCurve().getField().getFieldSize();
    }
    if (key instanceof DSAPublicKey dsa && dsa.getParams() != null) {
      return dsa.getParams().getP().bitLength();
    }
    String algorithm = key.getAlgorithm();
    return switch (algorithm) {
      case "Ed25519", "X25519" -> 255;
      case "Ed448", "X448" -> 448;
      default -> 0;
    };
  }

  private static boolean selfSigned(X509Certificate c) {
    if (!c.getIssuerX500Principal().equals(c.getSubjectX500Principal())) {
      return false;
    }
    try {
      c.verify(c.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false; // same name, other key: issued by a CA of the same name
    }
  }
}
