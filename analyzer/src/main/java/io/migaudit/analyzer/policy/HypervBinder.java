package io.migaudit.analyzer.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks and builds the policy's {@code hyperv} section:
 *
 * <pre>
 * hyperv:
 *   kerberosAudit: true      # the agents capture TCP/UDP 88 of the Hyper-V hosts
 *   ticketLifetime: 10h      # s, m or h; default 10h
 *   kdcs: [10.10.0.5]        # optional: only these KDCs' replies count (default: any KDC)
 *   hosts:                   # SPN host name: its addresses (migration, management)
 *     hv-02.corp.example: [10.66.0.22, 10.10.0.22]
 *     hv-02: [10.66.0.22, 10.10.0.22]   # every name the SPNs use, short names too
 *
 * </pre>
 */
final class HypervBinder {
  static final String KERBEROS_AUDIT = "kerberosAudit";
  static final String TICKET_LIFETIME = "ticketLifetime";
  static final String HOSTS = "hosts";
  static final String KDCS = "kdcs";
  static final List<String> FIELDS = List.of(KERBEROS_AUDIT, TICKET_LIFETIME, HOSTS, KDCS);
  static final Duration MIN_LIFETIME = Duration.ofMinutes(1);
  static final Duration MAX_LIFETIME = Duration.ofDays(7);
  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([smh])");

  /** RFC 1123 host names: letters, digits, '-' and '.', at most 253 characters. */
  private static final Pattern HOST_NAME =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");

  private HypervBinder() {}

  static HypervPolicy hyperv(LocatedNode n) throws PolicyException {
    if (n.isAbsent()) {
      return HypervPolicy.off();
    }
    PolicyBinder.mapping(n, FIELDS);
    LocatedNode audit = n.field(KERBEROS_AUDIT);
    String flag =
        audit.isAbsent() ? "false" : audit.node().isValueNode() ? audit.node().asText() : "";
    if (!flag.equals("true") && !flag.equals("false")) {
      throw audit.error(audit.shown() + " is not true or false");
    }
    boolean kerberosAudit = flag.equals("true");
    return new HypervPolicy(
        kerberosAudit,
        lifetime(n.field(TICKET_LIFETIME)),
        hosts(n.field(HOSTS)),
        kdcs(n.field(KDCS)));
  }

  /** The KDCs whose replies count (addresses); none listed: any KDC's. */
  private static List<String> kdcs(LocatedNode n) throws PolicyException {
    if (n.isAbsent()) {
      return List.of();
    }
    if (!n.node().isArray()) {
      throw n.error("expected a list of KDC addresses, not " + n.shown());
    }
    List<String> out = new ArrayList<>();
    for (LocatedNode item : n.elements()) {
      out.add(address(item));
    }
    return out;
  }

  private static Duration lifetime(LocatedNode n) throws PolicyException {
    if (n.isAbsent()) {
      return HypervPolicy.DEFAULT_TICKET_LIFETIME;
    }
    Matcher m = n.node().isTextual() ? DURATION.matcher(n.node().textValue()) : null;
    if (m == null || !m.matches()) {
      throw n.error(n.shown() + " is not a duration like \"10h\", \"90m\" or \"600s\"");
    }
    long amount = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          default -> Duration.ofHours(amount);
        };
    if (d.compareTo(MIN_LIFETIME) < 0 || d.compareTo(MAX_LIFETIME) > 0) {
      throw n.error(n.shown() + " is not between 1m and 168h");
    }
    return d;
  }

  private static Map<String, List<String>> hosts(LocatedNode n) throws PolicyException {
    if (n.isAbsent()) {
      return Map.of();
    }
    if (!n.node().isObject()) {
      throw n.error("expected a mapping of host names to addresses, not " + n.shown());
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String name : n.fieldNames()) {
      if (!HOST_NAME.matcher(name).matches()) {
        throw n.fieldError(name, "\"" + name + "\" is not a host name");
      }
      String key = name.toLowerCase(Locale.ROOT);
      if (out.containsKey(key)) {
        throw n.fieldError(name, "\"" + name + "\" is listed twice (host names ignore case)");
      }
      LocatedNode value = n.field(name);
      List<LocatedNode> items = value.node().isArray() ? value.elements() : List.of(value);
      List<String> addresses = new ArrayList<>();
      for (LocatedNode item : items) {
        addresses.add(address(item)); // names may share addresses: "hv-02" and "hv-02.corp.example"
      }
      if (addresses.isEmpty()) {
        throw value.error("a host needs at least one address");
      }
      out.put(key, addresses);
    }
    return out;
  }

  private static String address(LocatedNode n) throws PolicyException {
    String text = n.node().isTextual() ? n.node().textValue() : null;
    String canonical = HypervPolicy.canonical(text);
    if (canonical == null) {
      throw n.error(n.shown() + " is not an IPv4 or IPv6 address (one address, not a network)");
    }
    return canonical;
  }
}
