package io.migaudit.analyzer.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks and builds the policy's {@code zones} and {@code allowedPaths}: zone names are unique, a
 * zone has at least one host, no two zones share an address, and paths name defined zones.
 */
final class ZoneBinder {
  static final List<String> ZONE_FIELDS = List.of("name", "hosts");
  static final List<String> PATH_FIELDS = List.of("from", "to");

  private ZoneBinder() {}

  /** A zone's CIDR with where the policy wrote it, to name both sides of an overlap. */
  private record Placed(String zone, Cidr cidr, String path) {}

  static List<TrustZone> zones(LocatedNode list) throws PolicyException {
    List<TrustZone> out = new ArrayList<>();
    Map<String, String> pathByName = new HashMap<>();
    List<Placed> placed = new ArrayList<>();
    for (LocatedNode entry : PolicyBinder.elements(list)) {
      PolicyBinder.mapping(entry, ZONE_FIELDS);
      LocatedNode nameNode = entry.field("name");
      String name = PolicyBinder.requiredText(entry, nameNode);
      String earlier = pathByName.putIfAbsent(name, entry.path());
      if (earlier != null) {
        throw nameNode.error(nameNode.shown() + " is already the name of " + earlier);
      }
      LocatedNode hostsNode = entry.field("hosts");
      List<Cidr> hosts = new ArrayList<>();
      for (LocatedNode h : PolicyBinder.elements(hostsNode)) {
        Cidr cidr = PolicyBinder.cidr(h, "an IPv4 or IPv6 address or CIDR");
        checkDisjoint(h, name, cidr, placed);
        placed.add(new Placed(name, cidr, h.path()));
        hosts.add(cidr);
      }
      if (hosts.isEmpty()) {
        throw hostsNode.isAbsent()
            ? entry.error("missing field \"hosts\"")
            : hostsNode.error("a zone needs at least one address or CIDR");
      }
      out.add(new TrustZone(name, hosts));
    }
    return out;
  }

  private static void checkDisjoint(LocatedNode at, String zone, Cidr cidr, List<Placed> placed)
      throws PolicyException {
    for (Placed p : placed) {
      if (!p.zone().equals(zone) && p.cidr().overlaps(cidr)) {
        throw at.error(
            cidr
                + " overlaps "
                + p.cidr()
                + " of zone \""
                + p.zone()
                + "\" ("
                + p.path()
                + "); an address may be in one zone only");
      }
    }
  }

  static List<ZonePath> allowedPaths(LocatedNode list, List<TrustZone> zones)
      throws PolicyException {
    List<String> names = zones.stream().map(TrustZone::name).toList();
    List<ZonePath> out = new ArrayList<>();
    for (LocatedNode entry : PolicyBinder.elements(list)) {
      PolicyBinder.mapping(entry, PATH_FIELDS);
      String from = zoneName(entry, entry.field("from"), names);
      String to = zoneName(entry, entry.field("to"), names);
      out.add(new ZonePath(from, to));
    }
    return out;
  }

  private static String zoneName(LocatedNode owner, LocatedNode n, List<String> names)
      throws PolicyException {
    String name = PolicyBinder.requiredText(owner, n);
    if (!names.contains(name)) {
      String hint =
          names.isEmpty() ? " (the policy defines no zones)" : Suggestion.hint(name, names);
      throw n.error(n.shown() + " is not a zone" + hint);
    }
    return name;
  }
}
