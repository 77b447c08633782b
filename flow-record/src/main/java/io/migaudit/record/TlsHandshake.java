package io.migaudit.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The clear-text part of a TLS handshake.
 *
 * @param offeredVersions versions the ClientHello offered (its {@code supported_versions} when
 *     present, else its legacy version), e.g. "TLS 1.2", "TLS 1.3"; empty when not seen
 * @param version version the ServerHello chose; null when not seen
 * @param cipherSuite the chosen suite's IANA name (e.g. "TLS_AES_256_GCM_SHA384"), or "0xC02F" for
 *     a code this agent does not name; null when not seen
 * @param clientCertificate "requested" or "not-requested" (TLS 1.2 and earlier: a
 *     CertificateRequest seen or not), "not-visible" (TLS 1.3 encrypts it); null when the handshake
 *     was not followed that far
 * @param certificate the server's leaf certificate (TLS 1.2 and earlier); null when not visible
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TlsHandshake(
    List<String> offeredVersions,
    String version,
    String cipherSuite,
    String clientCertificate,
    TlsCertificate certificate) {

  public static final String CLIENT_CERT_REQUESTED = "requested";
  public static final String CLIENT_CERT_NOT_REQUESTED = "not-requested";
  public static final String CLIENT_CERT_NOT_VISIBLE = "not-visible";

  public TlsHandshake {
    offeredVersions = offeredVersions == null ? List.of() : List.copyOf(offeredVersions);
  }
}
