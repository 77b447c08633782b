package io.migaudit.analyzer.suggest;

import io.migaudit.analyzer.policy.Cidr;
import io.migaudit.analyzer.rules.CopyEvidence;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A first policy from what was seen: trusted hosts (those that sent migrations, in two flows or
 * more; any other host is listed commented out, with why), migration networks (per VLAN, or per
 * prefix for untagged migrations), and extra ports for migrations recognised by signature. Feed it
 * flow records with {@link #add}, then read it or render it ({@link SuggestedPolicyYaml}).
 */
public final class PolicySuggestion {
  /** IPv4 and IPv6 prefix lengths a suggested network is made of. */
  static final int IPV4_PREFIX = 24;

  static final int IPV6_PREFIX = 64;

  static final String IPV4_LOOPBACK = "127.0.0.0/8";
  static final String IPV6_LOOPBACK = "::1/128";

  /** A migration flow and what became of it in the suggestion. */
  public record Listed(MigrationSighting sighting, String status) {}

  private final PortCatalog catalog;
  private final Map<String, FlowRecord> latest = new LinkedHashMap<>();
  private List<Listed> listed;
  final Map<String, HostEvidence> hosts = new TreeMap<>();
  final Map<String, NetworkEvidence> networks = new TreeMap<>();

  /** Key "protocol transport port": migrations on a port the catalog does not name. */
  final Map<String, int[]> ports = new TreeMap<>();

  final Map<String, Integer> verdicts = new TreeMap<>();
  int otherFlows;

  public PolicySuggestion(PortCatalog catalog) {
    this.catalog = catalog;
  }

  /** A flow record; a later record of the same flow replaces an earlier one. */
  public void add(FlowRecord r) {
    FlowRecord before = latest.get(r.flowId());
    if (before == null || r.seq() >= before.seq()) {
      latest.put(r.flowId(), r);
    }
    listed = null;
  }

  /** Every migration flow seen, in capture order, with whether the suggestion accepted it. */
  public List<Listed> flows() {
    if (listed == null) {
      build();
    }
    return listed;
  }

  /** The addresses suggested as trusted. */
  public Set<String> trusted() {
    flows();
    return trustedHosts();
  }

  private Set<String> trustedHosts() {
    Set<String> t = new TreeSet<>();
    hosts.values().stream()
        .filter(h -> h.notTrustedBecause() == null)
        .forEach(h -> t.add(h.address));
    return t;
  }

  /** Hosts seen in migrations, trusted or not. */
  public int hostCount() {
    flows();
    return hosts.size();
  }

  private void build() {
    hosts.clear();
    networks.clear();
    ports.clear();
    verdicts.clear();
    otherFlows = 0;
    List<MigrationSighting> sightings = new ArrayList<>();
    List<FlowRecord> others = new ArrayList<>();
    for (FlowRecord r : latest.values()) {
      MigrationSighting.of(r, catalog).ifPresentOrElse(sightings::add, () -> others.add(r));
    }
    for (MigrationSighting s : sightings) {
      FlowRecord r = s.record();
      boolean pulled = CopyEvidence.pulled(r); // the memory came from the host that accepted
      hosts.computeIfAbsent(pulled ? r.dst() : r.src(), HostEvidence::new).add(s, true);
      hosts.computeIfAbsent(pulled ? r.src() : r.dst(), HostEvidence::new).add(s, false);
    }
    Set<String> trusted = trustedHosts();
    List<Listed> built = new ArrayList<>();
    Map<String, NetworkEvidence> untagged = new HashMap<>();
    for (MigrationSighting s : sightings) {
      built.add(new Listed(s, place(s, trusted, untagged)));
    }
    listed = built;
    mergeUntagged(untagged);
    for (FlowRecord r : others) {
      if (!LINK_CONTROL.contains(r.transport())) {
        otherFlows++;
        networks.values().stream().filter(n -> n.carries(r)).forEach(n -> n.otherFlows++);
      }
    }
  }

  private static final Set<String> LINK_CONTROL =
      Set.of("icmp", "icmpv6", "igmp", "ip-1", "ip-2", "ip-58");

  /** Puts a migration on its network; returns its status for the listing. */
  private String place(
      MigrationSighting s, Set<String> trusted, Map<String, NetworkEvidence> untagged) {
    FlowRecord r = s.record();
    boolean hostsTrusted = trusted.contains(r.src()) && trusted.contains(r.dst());
    if (s.tunnel() && !hostsTrusted) {
      return "not a migration for the analyzer: a tunnel or RDMA counts only between trusted hosts";
    }
    verdicts.merge(r.payload() == null ? "unknown" : r.payload().verdict().wire(), 1, Integer::sum);
    if (s.bySignature() && r.dstPort() > 0) { // later IP fragments show a signature, not a port
      ports
          .computeIfAbsent(s.protocol() + " " + r.transport() + " " + r.dstPort(), k -> new int[1])[
          0]++;
    }
    String ps = prefix(r.src());
    String pd = prefix(r.dst());
    NetworkEvidence n;
    if (r.vlan() != null) {
      n = networks.computeIfAbsent("vlan-" + r.vlan(), k -> new NetworkEvidence(k, r.vlan()));
      n.cidrs.add(ps);
      n.cidrs.add(pd);
    } else if (ps.equals(pd)) {
      n = untagged.computeIfAbsent(ps, k -> new NetworkEvidence(networkName(k), null));
      n.cidrs.add(ps);
    } else {
      return "not accepted: untagged, endpoints in "
          + ps
          + " and "
          + pd
          + " (routed?); no network suggested";
    }
    n.add(r);
    if (hostsTrusted) {
      return "accepted on " + n.name;
    }
    String why = r.src() + " " + hosts.get(r.src()).notTrustedBecause();
    if (trusted.contains(r.src())) {
      why = r.dst() + " " + hosts.get(r.dst()).notTrustedBecause();
    }
    return "on " + n.name + ", not accepted: " + why;
  }

  /**
   * An untagged prefix that a VLAN's network already holds joins it; the rest stay on their own.
   */
  private void mergeUntagged(Map<String, NetworkEvidence> untagged) {
    untagged.values().stream()
        .sorted(Comparator.comparing(n -> n.name))
        .forEach(
            u -> {
              NetworkEvidence tagged =
                  networks.values().stream()
                      .filter(n -> n.vlan != null && n.cidrs.containsAll(u.cidrs))
                      .findFirst()
                      .orElse(null);
              if (tagged != null) {
                tagged.absorb(u);
              } else {
                networks.put(u.name, u);
              }
            });
  }

  /** "net-" and the prefix's digits, e.g. {@code net-192-168-50-0-24}; "loopback" for loopbacks. */
  static String networkName(String prefix) {
    return switch (prefix) {
      case IPV4_LOOPBACK -> "loopback";
      case IPV6_LOOPBACK -> "loopback-ipv6";
      default -> "net-" + prefix.replaceAll("[^0-9a-f]+", "-").replaceAll("-+$", "");
    };
  }

  /**
   * The /24 or /64 holding {@code address}; a loopback address's is the loopback itself
   * (127.0.0.0/8, ::1/128): a migration between two processes of one host, and the /64 around ::1
   * would be {@code ::/64}.
   */
  static String prefix(String address) {
    if (address.startsWith("127.")) {
      return IPV4_LOOPBACK;
    }
    if (address.equals("::1")) {
      return IPV6_LOOPBACK;
    }
    int length = address.indexOf(':') >= 0 ? IPV6_PREFIX : IPV4_PREFIX;
    String cidr = address + "/" + length;
    return Cidr.withoutHostBits(cidr).orElse(cidr);
  }
}
