package io.migaudit.analyzer.policy;

import io.migaudit.record.PortCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a located YAML tree against the policy schema (docs/DESIGN.md, "Policy") and builds the
 * {@link Policy}; the first problem found is thrown with its file, line and field.
 */
final class PolicyBinder {
  static final String ENCRYPTION = "encryption";
  static final String MIGRATION_NETWORKS = "migrationNetworks";
  static final String TRUSTED_HOSTS = "trustedHosts";
  static final String PORTS = "ports";
  static final String ZONES = "zones";
  static final String ALLOWED_PATHS = "allowedPaths";
  static final String HYPERV = "hyperv";
  static final String CRYPTO = "crypto";
  static final String ROUTABLE = "routable";
  static final List<String> TOP_FIELDS =
      List.of(
          ENCRYPTION,
          MIGRATION_NETWORKS,
          TRUSTED_HOSTS,
          PORTS,
          ZONES,
          ALLOWED_PATHS,
          HYPERV,
          CRYPTO,
          ROUTABLE);
  static final List<String> NETWORK_FIELDS = List.of("name", "cidrs", "vlans", "vnis");
  static final List<String> PORT_FIELDS = List.of("protocol", "transport", "ports");
  static final List<String> PORT_TRANSPORTS = List.of("tcp", "udp");

  /** 802.1Q: 0 means priority tag only and 4095 is reserved. */
  static final int MIN_VLAN = 1;

  static final int MAX_VLAN = 4094;

  /** A VNI is 24 bits (RFC 7348 5, RFC 8926 3.4). */
  static final int MAX_VNI = (1 << 24) - 1;

  static final int MIN_PORT = 1;
  static final int MAX_PORT = 65535;
  private static final Pattern PROTOCOL_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern PORT_RANGE = Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?");
  private static final Pattern HOST_NAME = Pattern.compile(".*[g-zG-Z].*");

  private PolicyBinder() {}

  static Policy bind(LocatedNode root) throws PolicyException {
    if (root.isAbsent()) {
      return Policy.defaults();
    }
    if (!root.node().isObject()) {
      throw root.error(
          "a policy is a mapping of " + String.join(", ", TOP_FIELDS) + ", not " + root.shown());
    }
    checkFieldNames(root, TOP_FIELDS);
    EncryptionMode encryption = encryption(root.field(ENCRYPTION));
    List<MigrationNetwork> networks = networks(root.field(MIGRATION_NETWORKS));
    List<Cidr> trusted = trustedHosts(root.field(TRUSTED_HOSTS));
    PortCatalog catalog = PortCatalog.builtIn().with(ports(root.field(PORTS)));
    List<TrustZone> zones = ZoneBinder.zones(root.field(ZONES));
    List<ZonePath> paths = ZoneBinder.allowedPaths(root.field(ALLOWED_PATHS), zones);
    HypervPolicy hyperv = HypervBinder.hyperv(root.field(HYPERV));
    return new Policy(
        encryption,
        networks,
        trusted,
        catalog,
        zones,
        paths,
        hyperv,
        CryptoBinder.crypto(root.field(CRYPTO)),
        CryptoBinder.routable(root.field(ROUTABLE)));
  }

  private static EncryptionMode encryption(LocatedNode n) throws PolicyException {
    if (n.isAbsent()) {
      return EncryptionMode.REQUIRED;
    }
    Optional<EncryptionMode> mode =
        n.node().isTextual() ? EncryptionMode.fromWire(n.node().textValue()) : Optional.empty();
    if (mode.isEmpty()) {
      throw n.error(n.shown() + " is not one of required, opportunistic, disabled");
    }
    return mode.get();
  }

  private static List<MigrationNetwork> networks(LocatedNode list) throws PolicyException {
    List<MigrationNetwork> out = new ArrayList<>();
    Map<String, String> pathByName = new HashMap<>();
    for (LocatedNode entry : elements(list)) {
      mapping(entry, NETWORK_FIELDS);
      LocatedNode nameNode = entry.field("name");
      String name = requiredText(entry, nameNode);
      String earlier = pathByName.putIfAbsent(name, entry.path());
      if (earlier != null) {
        throw nameNode.error(nameNode.shown() + " is already the name of " + earlier);
      }
      LocatedNode cidrNode = entry.field("cidrs");
      List<Cidr> cidrs = new ArrayList<>();
      for (LocatedNode c : elements(cidrNode)) {
        cidrs.add(cidr(c, "an IPv4 or IPv6 CIDR"));
      }
      if (cidrs.isEmpty()) {
        throw cidrNode.isAbsent()
            ? entry.error("missing field \"cidrs\"")
            : cidrNode.error("a migration network needs at least one CIDR");
      }
      out.add(
          new MigrationNetwork(
              name, cidrs, vlans(entry.field("vlans")), vnis(entry.field("vnis"))));
    }
    return out;
  }

  private static List<Integer> vlans(LocatedNode list) throws PolicyException {
    List<Integer> out = new ArrayList<>();
    for (LocatedNode v : elements(list)) {
      out.add(integer(v, MIN_VLAN, MAX_VLAN, "a VLAN id (" + MIN_VLAN + "-" + MAX_VLAN + ")"));
    }
    return out;
  }

  private static List<Integer> vnis(LocatedNode list) throws PolicyException {
    List<Integer> out = new ArrayList<>();
    for (LocatedNode v : elements(list)) {
      out.add(integer(v, 0, MAX_VNI, "a VXLAN or Geneve VNI (0-" + MAX_VNI + ")"));
    }
    return out;
  }

  private static List<Cidr> trustedHosts(LocatedNode list) throws PolicyException {
    List<Cidr> out = new ArrayList<>();
    for (LocatedNode h : elements(list)) {
      out.add(cidr(h, "an IPv4 or IPv6 address or CIDR"));
    }
    return out;
  }

  private static List<PortCatalog.Entry> ports(LocatedNode list) throws PolicyException {
    List<PortCatalog.Entry> out = new ArrayList<>();
    for (LocatedNode entry : elements(list)) {
      mapping(entry, PORT_FIELDS);
      LocatedNode protocolNode = entry.field("protocol");
      String protocol = requiredText(entry, protocolNode);
      if (!PROTOCOL_NAME.matcher(protocol).matches()) {
        throw protocolNode.error(
            protocolNode.shown()
                + " is not a protocol name (lowercase letters, digits, '.', '_', '-')");
      }
      LocatedNode transportNode = entry.field("transport");
      String transport = requiredText(entry, transportNode);
      if (!PORT_TRANSPORTS.contains(transport)) {
        throw transportNode.error(
            transportNode.shown() + " is not one of " + String.join(", ", PORT_TRANSPORTS));
      }
      LocatedNode portsNode = entry.field("ports");
      List<LocatedNode> ports = elements(portsNode);
      if (ports.isEmpty()) {
        throw portsNode.isAbsent()
            ? entry.error("missing field \"ports\"")
            : portsNode.error("needs at least one port");
      }
      for (LocatedNode p : ports) {
        out.add(portRange(p, protocol, transport));
      }
    }
    return out;
  }

  private static PortCatalog.Entry portRange(LocatedNode n, String protocol, String transport)
      throws PolicyException {
    String what = "a port (" + MIN_PORT + "-" + MAX_PORT + ") or a range like \"49152-49215\"";
    if (n.node().isIntegralNumber()) {
      int port = integer(n, MIN_PORT, MAX_PORT, what);
      return new PortCatalog.Entry(protocol, transport, port, port);
    }
    Matcher m = n.node().isTextual() ? PORT_RANGE.matcher(n.node().textValue()) : null;
    if (m == null || !m.matches()) {
      throw n.error(n.shown() + " is not " + what);
    }
    int first = Integer.parseInt(m.group(1));
    int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
    if (first < MIN_PORT || last > MAX_PORT || first > last) {
      throw n.error(n.shown() + " is not " + what);
    }
    return new PortCatalog.Entry(protocol, transport, first, last);
  }

  static Cidr cidr(LocatedNode n, String what) throws PolicyException {
    String text = n.node().isTextual() ? n.node().textValue() : null;
    Optional<Cidr> cidr = Cidr.parse(text);
    if (cidr.isPresent()) {
      return cidr.get();
    }
    Optional<String> meant = Cidr.withoutHostBits(text);
    if (meant.isPresent()) {
      throw n.error(n.shown() + " has host bits set (did you mean " + meant.get() + "?)");
    }
    boolean hostName = text != null && text.indexOf(':') < 0 && HOST_NAME.matcher(text).matches();
    String hint = hostName ? " (host names are not looked up)" : "";
    throw n.error(n.shown() + " is not " + what + hint);
  }

  private static int integer(LocatedNode n, int min, int max, String what) throws PolicyException {
    if (!n.node().isIntegralNumber()
        || !n.node().canConvertToInt()
        || n.node().intValue() < min
        || n.node().intValue() > max) {
      throw n.error(n.shown() + " is not " + what);
    }
    return n.node().intValue();
  }

  static String requiredText(LocatedNode owner, LocatedNode n) throws PolicyException {
    String name = n.path().substring(n.path().lastIndexOf('.') + 1);
    if (n.isAbsent()) {
      throw owner.error("missing field \"" + name + "\"");
    }
    if (!n.node().isValueNode() || n.node().asText().isBlank()) {
      throw n.error(n.shown() + " is not a name");
    }
    return n.node().asText();
  }

  /** The elements of a list field; an absent field is an empty list. */
  static List<LocatedNode> elements(LocatedNode n) throws PolicyException {
    if (n.isAbsent()) {
      return List.of();
    }
    if (!n.node().isArray()) {
      throw n.error("expected a list, not " + n.shown());
    }
    return n.elements();
  }

  static void mapping(LocatedNode n, List<String> fields) throws PolicyException {
    if (!n.node().isObject()) {
      throw n.error("expected a mapping of " + String.join(", ", fields) + ", not " + n.shown());
    }
    checkFieldNames(n, fields);
  }

  private static void checkFieldNames(LocatedNode n, List<String> known) throws PolicyException {
    for (String name : n.fieldNames()) {
      if (!known.contains(name)) {
        throw n.fieldError(name, "unknown field \"" + name + "\"" + Suggestion.hint(name, known));
      }
    }
  }
}
