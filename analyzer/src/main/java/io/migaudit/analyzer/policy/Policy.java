package io.migaudit.analyzer.policy;

import io.migaudit.record.PortCatalog;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the auditor expects of live migration (DESIGN.md, "Policy").
 *
 * @param encryption how migrations must be protected
 * @param migrationNetworks the dedicated migration segments; empty turns segment rules off
 * @param trustedHosts addresses and networks allowed to send or receive migrations
 * @param catalog the built-in port catalog plus the policy's {@code ports}
 */
public record Policy(
    EncryptionMode encryption,
    List<MigrationNetwork> migrationNetworks,
    List<Cidr> trustedHosts,
    PortCatalog catalog) {

  public Policy {
    migrationNetworks = List.copyOf(migrationNetworks);
    trustedHosts = List.copyOf(trustedHosts);
  }

  /** Encryption required, no networks, no trusted hosts, the built-in catalog. */
  public static Policy defaults() {
    return new Policy(EncryptionMode.REQUIRED, List.of(), List.of(), PortCatalog.builtIn());
  }

  /** True when {@code address} is in {@code trustedHosts}. */
  public boolean isTrusted(String address) {
    for (Cidr c : trustedHosts) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** The first migration network holding both addresses. */
  public Optional<MigrationNetwork> networkContaining(String a, String b) {
    return migrationNetworks.stream().filter(n -> n.containsBoth(a, b)).findFirst();
  }

  /** All migration networks holding both addresses (networks may overlap). */
  public List<MigrationNetwork> networksContaining(String a, String b) {
    return migrationNetworks.stream().filter(n -> n.containsBoth(a, b)).toList();
  }

  /** The first migration network that lists {@code vlan}. */
  public Optional<MigrationNetwork> networkWithVlan(int vlan) {
    return migrationNetworks.stream().filter(n -> n.carriesVlan(vlan)).findFirst();
  }

  /** The protocol names the catalog can assign, in catalog order. */
  public Set<String> catalogProtocols() {
    Set<String> names = new LinkedHashSet<>();
    catalog.entries().forEach(e -> names.add(e.protocol()));
    return names;
  }
}
