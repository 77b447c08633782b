package io.migaudit.analyzer.policy;

import io.migaudit.analyzer.policy.RoutablePolicy.RoutedPath;
import io.migaudit.record.Severity;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks and builds the policy's {@code crypto} and {@code routable} sections:
 *
 * <pre>
 * crypto:
 *   minTlsVersion: "1.2"        # 1.0, 1.1, 1.2 (default) or 1.3
 *   deny: [CBC, SHA1]           # extra names to refuse, as substrings, any case
 *   requireForwardSecrecy: true # TLS_RSA_WITH_* suites are weak
 *   requireClientAuth: true     # TLS 1.2 servers must ask for a client certificate
 *   rejectSelfSigned: true
 *   rejectExpired: true         # default true
 *   severity: warning           # or critical; NULL / none ciphers are always critical
 * routable:
 *   allowed:
 *     - {from: 10.1.50.0/24, to: 10.2.50.0/24, maxHops: 2}
 * </pre>
 */
final class CryptoBinder {
  static final String MIN_TLS = "minTlsVersion";
  static final String DENY = "deny";
  static final String FORWARD_SECRECY = "requireForwardSecrecy";
  static final String CLIENT_AUTH = "requireClientAuth";
  static final String SELF_SIGNED = "rejectSelfSigned";
  static final String EXPIRED = "rejectExpired";
  static final String SEVERITY = "severity";
  static final List<String> CRYPTO_FIELDS =
      List.of(MIN_TLS, DENY, FORWARD_SECRECY, CLIENT_AUTH, SELF_SIGNED, EXPIRED, SEVERITY);
  static final List<String> TLS_VERSIONS = List.of("1.0", "1.1", "1.2", "1.3");
  static final List<String> ROUTABLE_FIELDS = List.of("allowed");
  static final List<String> PATH_FIELDS = List.of("from", "to", "maxHops");
  static final int MAX_HOPS = 254;

  private CryptoBinder() {}

  static CryptoPolicy crypto(LocatedNode n) throws PolicyException {
    CryptoPolicy d = CryptoPolicy.defaults();
    if (n.isAbsent()) {
      return d;
    }
    PolicyBinder.mapping(n, CRYPTO_FIELDS);
    String min = d.minTlsVersion();
    LocatedNode minNode = n.field(MIN_TLS);
    if (!minNode.isAbsent()) {
      String text = minNode.node().isValueNode() ? minNode.node().asText() : "";
      if (!TLS_VERSIONS.contains(text)) {
        throw minNode.error(minNode.shown() + " is not one of " + String.join(", ", TLS_VERSIONS));
      }
      min = "TLS " + text;
    }
    List<String> deny = new ArrayList<>();
    for (LocatedNode item : PolicyBinder.elements(n.field(DENY))) {
      if (!item.node().isTextual() || item.node().textValue().isBlank()) {
        throw item.error(item.shown() + " is not an algorithm name");
      }
      deny.add(item.node().textValue());
    }
    return new CryptoPolicy(
        min,
        deny,
        flag(n.field(FORWARD_SECRECY), false),
        flag(n.field(CLIENT_AUTH), false),
        flag(n.field(SELF_SIGNED), false),
        flag(n.field(EXPIRED), true),
        severity(n.field(SEVERITY)));
  }

  private static boolean flag(LocatedNode n, boolean absent) throws PolicyException {
    if (n.isAbsent()) {
      return absent;
    }
    String text = n.node().isValueNode() ? n.node().asText() : "";
    if (!text.equals("true") && !text.equals("false")) {
      throw n.error(n.shown() + " is not true or false");
    }
    return text.equals("true");
  }

  private static Severity severity(LocatedNode n) throws PolicyException {
    if (n.isAbsent()) {
      return Severity.WARNING;
    }
    String text = n.node().isTextual() ? n.node().textValue() : "";
    if (text.equals(Severity.WARNING.wire())) {
      return Severity.WARNING;
    }
    if (text.equals(Severity.CRITICAL.wire())) {
      return Severity.CRITICAL;
    }
    throw n.error(n.shown() + " is not warning or critical");
  }

  static RoutablePolicy routable(LocatedNode n) throws PolicyException {
    if (n.isAbsent()) {
      return RoutablePolicy.none();
    }
    PolicyBinder.mapping(n, ROUTABLE_FIELDS);
    List<RoutedPath> paths = new ArrayList<>();
    for (LocatedNode entry : PolicyBinder.elements(n.field("allowed"))) {
      PolicyBinder.mapping(entry, PATH_FIELDS);
      Cidr from = end(entry, "from");
      Cidr to = end(entry, "to");
      LocatedNode hops = entry.field("maxHops");
      int maxHops = 0;
      if (!hops.isAbsent()) {
        if (!hops.node().isIntegralNumber()
            || hops.node().intValue() < 1
            || hops.node().intValue() > MAX_HOPS) {
          throw hops.error(hops.shown() + " is not a number of routers (1-" + MAX_HOPS + ")");
        }
        maxHops = hops.node().intValue();
      }
      paths.add(new RoutedPath(from, to, maxHops));
    }
    return new RoutablePolicy(paths);
  }

  private static Cidr end(LocatedNode entry, String field) throws PolicyException {
    LocatedNode n = entry.field(field);
    if (n.isAbsent()) {
      throw entry.error("missing field \"" + field + "\"");
    }
    return PolicyBinder.cidr(n, "an IPv4 or IPv6 address or CIDR");
  }
}
