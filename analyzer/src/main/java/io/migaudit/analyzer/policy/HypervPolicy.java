package io.migaudit.analyzer.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The policy's {@code hyperv} section: whether Hyper-V migrations are audited for Kerberos
 * authentication, and what the analyzer needs to match a service principal to a flow.
 *
 * @param kerberosAudit true when the agents capture the migration hosts' Kerberos traffic (TCP/UDP
 *     88), so that a migration without a service-ticket request is evidence of CredSSP; false turns
 *     {@code CREDSSP_MIGRATION} off
 * @param ticketLifetime how long a TGS-REQ counts as evidence for later migrations (the ticket's
 *     lifetime; Active Directory's default is 10 hours)
 * @param kdcs the KDCs (addresses) whose replies count as Kerberos evidence; empty: any KDC
 * @param hosts host names (as service principals name them, lowercase) and the addresses of each
 *     host: its migration address and the management address it talks to the KDC from; a host known
 *     by several names (short and fully qualified) is listed under each
 */
public record HypervPolicy(
    boolean kerberosAudit,
    Duration ticketLifetime,
    Map<String, List<String>> hosts,
    List<String> kdcs) {
  /** Active Directory's default maximum lifetime of a service ticket. */
  public static final Duration DEFAULT_TICKET_LIFETIME = Duration.ofHours(10);

  public HypervPolicy {
    hosts = Map.copyOf(hosts);
    kdcs = List.copyOf(kdcs);
  }

  /** No Kerberos audit. */
  /** Without a KDC list: evidence from any KDC counts. */
  public HypervPolicy(
      boolean kerberosAudit, Duration ticketLifetime, Map<String, List<String>> hosts) {
    this(kerberosAudit, ticketLifetime, hosts, List.of());
  }

  /**
   * True when Kerberos traffic to {@code address} counts: any KDC when none is listed, else a
   * listed one.
   */
  public boolean trustsKdc(String address) {
    if (kdcs.isEmpty()) {
      return true;
    }
    String a = canonical(address);
    return a != null && kdcs.contains(a);
  }

  public static HypervPolicy off() {
    return new HypervPolicy(false, DEFAULT_TICKET_LIFETIME, Map.of());
  }

  /** {@code address} and every other address of the hosts that list it, canonical text. */
  public List<String> addressesOfHostWith(String address) {
    String a = canonical(address);
    Set<String> out = new LinkedHashSet<>();
    out.add(a == null ? address : a);
    for (List<String> addresses : hosts.values()) {
      if (addresses.contains(a)) {
        out.addAll(addresses);
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * True when the host a service principal names ({@code hostName}) is known to have {@code
   * address}: the policy maps that name to it, or the name is that address literally.
   */
  public boolean hostHasAddress(String hostName, String address) {
    String a = canonical(address);
    if (a == null || hostName == null) {
      return false;
    }
    String literal = canonical(hostName);
    if (literal != null) {
      return literal.equals(a);
    }
    List<String> addresses = hosts.get(hostName.toLowerCase(Locale.ROOT));
    return addresses != null && addresses.contains(a);
  }

  /** True when the policy maps {@code hostName}, or it is an address literal. */
  public boolean knowsHost(String hostName) {
    return hostName != null
        && (canonical(hostName) != null || hosts.containsKey(hostName.toLowerCase(Locale.ROOT)));
  }

  /** The canonical text of an address literal, or null. */
  static String canonical(String address) {
    IpAddress a = IpAddress.parse(address);
    return a == null ? null : a.toString();
  }
}
