package io.migaudit.agent.source;

import java.util.List;

/**
 * What a live capture must see beyond the port catalog, learnt from the policy: its migration
 * networks (all traffic inside one, so that SHARED_MIGRATION_SEGMENT sees what else runs there and
 * a migration on any port is caught) and its hypervisor hosts (all TCP and UDP between two of them:
 * a migration or tunnel on a port no catalog lists, a UDP tunnel that does not encrypt). CIDRs or
 * addresses in pcap-filter(7) {@code net} syntax ("192.168.50.0/24", "fd00:50::/64", "10.66.0.21").
 *
 * @param migrationNetworks one entry per network, each the list of its CIDRs
 * @param hypervisorHosts addresses or CIDRs of the hosts that migrate
 */
public record CaptureScope(List<List<String>> migrationNetworks, List<String> hypervisorHosts) {

  public CaptureScope {
    migrationNetworks = migrationNetworks.stream().map(List::copyOf).toList();
    hypervisorHosts = List.copyOf(hypervisorHosts);
  }

  /** The catalog alone: no networks, no hosts. */
  public static CaptureScope none() {
    return new CaptureScope(List.of(), List.of());
  }
}
