package io.migaudit.analyzer.suggest;

import io.migaudit.record.Tunnel;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A {@link PolicySuggestion} as a commented policy.yaml that {@code PolicyLoader} reads: every
 * entry says how many flows and bytes support it and when it was last seen; hosts not suggested as
 * trusted are listed commented out with why; zones are a commented example.
 */
public final class SuggestedPolicyYaml {
  private SuggestedPolicyYaml() {}

  /** The policy text; {@code sources} names what was read, for its header. */
  public static String render(PolicySuggestion s, String sources) {
    List<PolicySuggestion.Listed> flows = s.flows();
    StringBuilder b = new StringBuilder();
    b.append("# Policy suggested by `migaudit policy suggest` from ")
        .append(oneLine(sources))
        .append('\n')
        .append("# ")
        .append(flows.size())
        .append(" migration flow(s) seen (by catalog port, by signature on any")
        .append(" port, or bulk tunnels), ")
        .append(s.otherFlows)
        .append(" other flow(s).\n")
        .append(
            "# It lists what WAS seen, not what SHOULD be allowed: review every entry before using it.\n")
        .append(
            "# Replay the same captures with it: what it accepted raises no UNTRUSTED_* or NON_DEDICATED_SEGMENT")
        .append(
            tunnels(s).isEmpty()
                ? ".\n"
                : ",\n# but for the routed tunnels listed under migrationNetworks.\n")
        .append(
            "encryption: required          # required | opportunistic | disabled; verdicts seen: ")
        .append(
            s.verdicts.isEmpty()
                ? "none"
                : s.verdicts.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", ")))
        .append('\n');
    networks(b, s);
    tunnelNotes(b, s);
    hosts(b, s);
    ports(b, s);
    b.append(
            "# Trust zones (optional; README, \"Trust zones\"): which trusted hosts may send VMs to which.\n")
        .append("# zones:\n#   - name: prod\n#     hosts: [\"192.0.2.11\", \"192.0.2.12\"]\n")
        .append(
            "#   - name: dev\n#     hosts: [\"192.0.2.41\"]\n# allowedPaths:\n#   - {from: prod, to: dev}\n");
    return b.toString();
  }

  private static void networks(StringBuilder b, PolicySuggestion s) {
    b.append("migrationNetworks:");
    if (s.networks.isEmpty()) {
      b.append(" []                # no migration seen on one segment\n");
      return;
    }
    b.append('\n');
    for (NetworkEvidence n : s.networks.values()) {
      b.append("  # ")
          .append(n.flows)
          .append(" flow(s), ")
          .append(n.bytes)
          .append(" bytes, last seen ")
          .append(time(n.lastSeen));
      if (n.otherFlows > 0) {
        b.append("; ")
            .append(n.otherFlows)
            .append(" other flow(s) on it (SHARED_MIGRATION_SEGMENT)");
      }
      b.append("\n  - name: ")
          .append(n.name)
          .append("\n    cidrs: [")
          .append(n.cidrs.stream().map(c -> "\"" + c + "\"").collect(Collectors.joining(", ")))
          .append("]\n");
      if (n.vlan != null) {
        b.append("    vlans: [").append(n.vlan).append("]\n");
      }
      if (!n.vnis.isEmpty()) {
        b.append("    vnis: [")
            .append(n.vnis.stream().map(String::valueOf).collect(Collectors.joining(", ")))
            .append("]   # the overlay segments its migrations travelled in; leave out when the")
            .append(" VXLAN is a cloud mirror's\n");
      }
    }
  }

  private static void hosts(StringBuilder b, PolicySuggestion s) {
    boolean any = s.hosts.values().stream().anyMatch(h -> h.notTrustedBecause() == null);
    b.append("trustedHosts:")
        .append(any ? "\n" : " []   # no host sent migrations in two flows or more\n");
    for (HostEvidence h : s.hosts.values()) {
      String why = h.notTrustedBecause();
      String evidence =
          "sent "
              + h.asSource
              + ", received "
              + h.asDestination
              + " migration flow(s), "
              + h.bytes
              + " bytes, last seen "
              + time(h.lastSeen);
      if (why == null) {
        b.append(String.format("  - %-20s # %s%n", "\"" + h.address + "\"", evidence));
      } else {
        b.append(
            String.format(
                "  # - %-18s # NOT trusted: %s (%s)%n", "\"" + h.address + "\"", why, evidence));
      }
    }
  }

  private static void ports(StringBuilder b, PolicySuggestion s) {
    if (s.ports.isEmpty()) {
      return;
    }
    b.append(
        "ports:                        # migrations recognised by their signature on a port the catalog lacks\n");
    s.ports.forEach(
        (key, n) -> {
          String[] p = key.split(" ");
          b.append("  - {protocol: ")
              .append(p[0])
              .append(", transport: ")
              .append(p[1])
              .append(", ports: [")
              .append(p[2])
              .append("]}   # ")
              .append(n[0])
              .append(" flow(s)\n");
        });
  }

  private static String time(Instant t) {
    return t == null ? "-" : t.toString();
  }

  /**
   * The routed tunnels (IP in IP, GRE carrying IP) the migrations travelled in, each with its flow
   * count: NON_DEDICATED_SEGMENT judges a tunnel's endpoints as a migration's own.
   */
  private static Map<String, Integer> tunnels(PolicySuggestion s) {
    Map<String, Integer> seen = new TreeMap<>();
    for (PolicySuggestion.Listed l : s.flows()) {
      Tunnel t = l.sighting().record().tunnel();
      if (t != null) {
        String where = t.vlan() == null ? ", untagged" : ", VLAN " + t.vlan();
        seen.merge(
            t.kind() + " between " + String.join(" and ", t.endpoints()) + where, 1, Integer::sum);
      }
    }
    return seen;
  }

  private static void tunnelNotes(StringBuilder b, PolicySuggestion s) {
    Map<String, Integer> seen = tunnels(s);
    if (seen.isEmpty()) {
      return;
    }
    b.append("  # Migrations travelled in these routed tunnels; NON_DEDICATED_SEGMENT judges a\n")
        .append(
            "  # tunnel's endpoints and VLAN as a migration's own. Add a network for them only\n")
        .append("  # if it is dedicated to migration:\n");
    seen.forEach(
        (tunnel, flows) ->
            b.append("  #   tunnel ")
                .append(oneLine(tunnel))
                .append(": ")
                .append(flows)
                .append(" flow(s)\n"));
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\p{Cntrl}", " ");
  }
}
