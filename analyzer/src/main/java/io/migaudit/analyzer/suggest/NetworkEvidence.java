package io.migaudit.analyzer.suggest;

import io.migaudit.analyzer.policy.Cidr;
import io.migaudit.record.FlowRecord;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A suggested migration network: the VLAN migrations were tagged with and the address prefixes
 * (/24, /64) of their endpoints, or, for untagged migrations, one prefix holding both endpoints;
 * and the VXLAN / Geneve segments (VNIs) its migrations travelled in, if any.
 */
public final class NetworkEvidence {
  final String name;
  final Integer vlan;
  final Set<String> cidrs = new TreeSet<>();
  final Map<Integer, Integer> flowsPerVlan = new TreeMap<>();
  final Set<Integer> vnis = new TreeSet<>();
  int flows;
  long bytes;
  Instant lastSeen;

  /**
   * Flows on it that are not migrations: SHARED_MIGRATION_SEGMENT once it is a migration network.
   */
  int otherFlows;

  NetworkEvidence(String name, Integer vlan) {
    this.name = name;
    this.vlan = vlan;
  }

  void add(FlowRecord r) {
    flows++;
    bytes += r.totalBytes();
    if (r.vlan() != null) {
      flowsPerVlan.merge(r.vlan(), 1, Integer::sum);
    }
    if (r.vni() != null) {
      vnis.add(r.vni());
    }
    if (r.lastSeen() != null && (lastSeen == null || r.lastSeen().isAfter(lastSeen))) {
      lastSeen = r.lastSeen();
    }
  }

  void absorb(NetworkEvidence untagged) {
    cidrs.addAll(untagged.cidrs);
    vnis.addAll(untagged.vnis);
    flows += untagged.flows;
    bytes += untagged.bytes;
    if (untagged.lastSeen != null && (lastSeen == null || untagged.lastSeen.isAfter(lastSeen))) {
      lastSeen = untagged.lastSeen;
    }
  }

  boolean holds(String address) {
    return cidrs.stream().anyMatch(c -> Cidr.parse(c).map(n -> n.contains(address)).orElse(false));
  }

  /** True when a flow on this network would be judged as on it (the analyzer's reading). */
  boolean carries(FlowRecord r) {
    if (r.vlan() != null) {
      return r.vlan().equals(vlan);
    }
    if (r.vni() != null && !vnis.isEmpty()) {
      return vnis.contains(r.vni());
    }
    return holds(r.src()) && holds(r.dst());
  }

  public String name() {
    return name;
  }
}
