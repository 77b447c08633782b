package io.migaudit.analyzer.policy;

import java.util.List;

/**
 * A named group of hypervisor hosts that may migrate among themselves ({@code prod}, {@code dev}, a
 * guarded fabric of shielded-VM hosts, or a single destination host, Hyper-V style). Zones of one
 * policy never overlap, so an address is in at most one zone.
 *
 * @param name how the policy names it
 * @param hosts its addresses and networks
 */
public record TrustZone(String name, List<Cidr> hosts) {

  public TrustZone {
    hosts = List.copyOf(hosts);
  }

  /** True when {@code address} is one of this zone's hosts. */
  public boolean contains(String address) {
    for (Cidr c : hosts) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
