package io.migaudit.analyzer.policy;

import io.migaudit.record.Severity;
import java.util.List;
import java.util.Locale;

/**
 * The policy's {@code crypto} section: what a migration's clear-text handshake may show.
 *
 * @param minTlsVersion lowest acceptable TLS version, e.g. "TLS 1.2" (default)
 * @param deny extra names, matched case-insensitively as substrings of the negotiated TLS suite,
 *     SSH cipher or MAC, or IKE transform (e.g. "CBC", "SHA1", "aes128"); the built-in weak list
 *     always applies
 * @param requireForwardSecrecy TLS suites with RSA key exchange ({@code TLS_RSA_WITH_*}) are weak
 * @param requireClientAuth a TLS server that does not ask for a client certificate (QEMU's {@code
 *     verify-peer=no}) is weak; TLS 1.3 hides the request, so it cannot be judged there
 * @param rejectSelfSigned a self-signed server certificate is weak
 * @param rejectExpired a server certificate outside its validity at the flow's time is weak
 * @param severity severity of weak findings; NULL / {@code none} ciphers are always critical
 */
public record CryptoPolicy(
    String minTlsVersion,
    List<String> deny,
    boolean requireForwardSecrecy,
    boolean requireClientAuth,
    boolean rejectSelfSigned,
    boolean rejectExpired,
    Severity severity) {

  public static final String DEFAULT_MIN_TLS = "TLS 1.2";

  /** TLS versions in order; the policy names them "1.0" ... "1.3". */
  public static final List<String> TLS_VERSIONS =
      List.of("SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3");

  public CryptoPolicy {
    deny = deny == null ? List.of() : deny.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
  }

  /** The defaults when the section is absent: TLS 1.2, no extra names, no certificate checks. */
  public static CryptoPolicy defaults() {
    return new CryptoPolicy(
        DEFAULT_MIN_TLS, List.of(), false, false, false, true, Severity.WARNING);
  }

  /**
   * True when {@code version} (a record's "TLS 1.1") is below the minimum; unknown versions are
   * not.
   */
  public boolean belowMinimum(String version) {
    int v = TLS_VERSIONS.indexOf(version);
    return v >= 0 && v < TLS_VERSIONS.indexOf(minTlsVersion);
  }

  /** The first deny entry {@code name} contains, null when none does. */
  public String denied(String name) {
    if (name == null) {
      return null;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    return deny.stream().filter(lower::contains).findFirst().orElse(null);
  }
}
