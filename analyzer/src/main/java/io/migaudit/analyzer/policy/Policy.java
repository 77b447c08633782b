package io.migaudit.analyzer.policy;

import io.migaudit.record.PortCatalog;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the auditor expects of live migration (docs/DESIGN.md, "Policy").
 *
 * @param encryption how migrations must be protected
 * @param migrationNetworks the dedicated migration segments; empty turns segment rules off
 * @param trustedHosts addresses and networks allowed to send or receive migrations
 * @param catalog the built-in port catalog plus the policy's {@code ports}
 * @param zones trust zones, pairwise disjoint; empty turns the cross-zone rule off
 * @param allowedPaths the directions in which migrations may cross from one zone to another;
 *     migrations within one zone are always allowed
 * @param hyperv the Hyper-V authentication audit ({@code hyperv} section); off when absent
 * @param crypto what a migration's handshake may show ({@code crypto} section); defaults when
 *     absent
 * @param routable where migrations may be routed ({@code routable} section); nowhere when absent
 */
public record Policy(
    EncryptionMode encryption,
    List<MigrationNetwork> migrationNetworks,
    List<Cidr> trustedHosts,
    PortCatalog catalog,
    List<TrustZone> zones,
    List<ZonePath> allowedPaths,
    HypervPolicy hyperv,
    CryptoPolicy crypto,
    RoutablePolicy routable) {

  public Policy {
    hyperv = hyperv == null ? HypervPolicy.off() : hyperv;
    crypto = crypto == null ? CryptoPolicy.defaults() : crypto;
    routable = routable == null ? RoutablePolicy.none() : routable;
    migrationNetworks = List.copyOf(migrationNetworks);
    trustedHosts = List.copyOf(trustedHosts);
    zones = zones == null ? List.of() : List.copyOf(zones);
    allowedPaths = allowedPaths == null ? List.of() : List.copyOf(allowedPaths);
  }

  /** A policy with the default {@code crypto} and {@code routable} sections. */
  public Policy(
      EncryptionMode encryption,
      List<MigrationNetwork> migrationNetworks,
      List<Cidr> trustedHosts,
      PortCatalog catalog,
      List<TrustZone> zones,
      List<ZonePath> allowedPaths,
      HypervPolicy hyperv) {
    this(
        encryption,
        migrationNetworks,
        trustedHosts,
        catalog,
        zones,
        allowedPaths,
        hyperv,
        null,
        null);
  }

  /** This policy with other {@code crypto} and {@code routable} sections. */
  public Policy withPath(CryptoPolicy newCrypto, RoutablePolicy newRoutable) {
    return new Policy(
        encryption,
        migrationNetworks,
        trustedHosts,
        catalog,
        zones,
        allowedPaths,
        hyperv,
        newCrypto,
        newRoutable);
  }

  /** A policy without the Hyper-V authentication audit. */
  public Policy(
      EncryptionMode encryption,
      List<MigrationNetwork> migrationNetworks,
      List<Cidr> trustedHosts,
      PortCatalog catalog,
      List<TrustZone> zones,
      List<ZonePath> allowedPaths) {
    this(
        encryption,
        migrationNetworks,
        trustedHosts,
        catalog,
        zones,
        allowedPaths,
        HypervPolicy.off());
  }

  /** This policy with another {@code hyperv} section. */
  public Policy withHyperv(HypervPolicy newHyperv) {
    return new Policy(
        encryption,
        migrationNetworks,
        trustedHosts,
        catalog,
        zones,
        allowedPaths,
        newHyperv,
        crypto,
        routable);
  }

  /** A policy without trust zones. */
  public Policy(
      EncryptionMode encryption,
      List<MigrationNetwork> migrationNetworks,
      List<Cidr> trustedHosts,
      PortCatalog catalog) {
    this(encryption, migrationNetworks, trustedHosts, catalog, List.of(), List.of());
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

  /**
   * True when {@code address} is a host the policy names: trusted, in a trust zone, or inside a
   * migration network. The vMotion page-stream start on an unlisted port counts only next to such a
   * host.
   */
  public boolean isPolicyHost(String address) {
    return isTrusted(address)
        || zoneOf(address).isPresent()
        || migrationNetworks.stream().anyMatch(n -> n.contains(address));
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

  /** The first migration network that lists {@code vni}. */
  public Optional<MigrationNetwork> networkWithVni(int vni) {
    return migrationNetworks.stream().filter(n -> n.carriesVni(vni)).findFirst();
  }

  /** The trust zone holding {@code address}, if any (zones do not overlap). */
  public Optional<TrustZone> zoneOf(String address) {
    return zones.stream().filter(z -> z.contains(address)).findFirst();
  }

  /**
   * True when a migration from a host of zone {@code from} to one of zone {@code to} is allowed.
   */
  public boolean pathAllowed(String from, String to) {
    return from.equals(to) || allowedPaths.contains(new ZonePath(from, to));
  }

  /** The zones allowed to send migrations into zone {@code to}, itself first. */
  public List<String> sourcesAllowedInto(String to) {
    Set<String> names = new LinkedHashSet<>();
    names.add(to);
    allowedPaths.stream().filter(p -> p.to().equals(to)).forEach(p -> names.add(p.from()));
    return List.copyOf(names);
  }

  /** The protocol names the catalog can assign, in catalog order. */
  public Set<String> catalogProtocols() {
    Set<String> names = new LinkedHashSet<>();
    catalog.entries().forEach(e -> names.add(e.protocol()));
    return names;
  }
}
