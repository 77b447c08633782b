package io.migaudit.record;

import java.time.Instant;

/**
 * Facts about a server's leaf certificate, read from a TLS 1.2 (or earlier) Certificate message.
 * Never the certificate itself.
 *
 * @param signatureAlgorithm the issuer's signature algorithm, e.g. "SHA256withRSA"
 * @param keyAlgorithm the subject key's algorithm, e.g. "RSA", "EC"
 * @param keyBits the subject key's size in bits (RSA modulus, EC field size), 0 when unknown
 * @param notBefore start of validity
 * @param notAfter end of validity
 * @param selfSigned true when the issuer is the subject and the key verifies the signature
 */
public record TlsCertificate(
    String signatureAlgorithm,
    String keyAlgorithm,
    int keyBits,
    Instant notBefore,
    Instant notAfter,
    boolean selfSigned) {}
