package io.migaudit.analyzer.policy;

import java.util.List;

/**
 * A segment dedicated to live migration.
 *
 * @param name how the policy names it ("vmotion")
 * @param cidrs the address ranges of the segment
 * @param vlans VLAN ids a tagged migration frame must carry; empty when the policy lists none, and
 *     then the segment is judged by address only
 * @param vnis VXLAN / Geneve network identifiers an overlay migration frame must carry (the
 *     segment's VNIs in an overlay fabric); empty when the policy lists none, and then a frame's
 *     overlay is not judged
 */
public record MigrationNetwork(
    String name, List<Cidr> cidrs, List<Integer> vlans, List<Integer> vnis) {

  public MigrationNetwork {
    cidrs = List.copyOf(cidrs);
    vlans = vlans == null ? List.of() : List.copyOf(vlans);
    vnis = vnis == null ? List.of() : List.copyOf(vnis);
  }

  /** A segment named by addresses and VLANs only. */
  public MigrationNetwork(String name, List<Cidr> cidrs, List<Integer> vlans) {
    this(name, cidrs, vlans, List.of());
  }

  /** True when {@code address} lies in one of this segment's CIDRs. */
  public boolean contains(String address) {
    for (Cidr c : cidrs) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** True when both addresses lie in this segment's CIDRs. */
  public boolean containsBoth(String a, String b) {
    return contains(a) && contains(b);
  }

  /** True when the policy lists VLAN ids for this segment. */
  public boolean hasVlans() {
    return !vlans.isEmpty();
  }

  /** True when {@code vlan} is one of this segment's VLAN ids. */
  public boolean carriesVlan(int vlan) {
    return vlans.contains(vlan);
  }

  /**
   * True when a frame with this tag (null = untagged) may carry migration here: untagged frames and
   * segments without listed VLANs are judged by address only.
   */
  public boolean admitsTag(Integer vlan) {
    return vlan == null || vlans.isEmpty() || vlans.contains(vlan);
  }

  /** True when the policy lists VNIs for this segment. */
  public boolean hasVnis() {
    return !vnis.isEmpty();
  }

  /** True when {@code vni} is one of this segment's VNIs. */
  public boolean carriesVni(int vni) {
    return vnis.contains(vni);
  }

  /**
   * True when a frame in this overlay (null = in none) may carry migration here: frames in no
   * overlay, and segments without listed VNIs, are not judged by overlay.
   */
  public boolean admitsVni(Integer vni) {
    return vni == null || vnis.isEmpty() || vnis.contains(vni);
  }

  /** The CIDRs as text, for evidence. */
  public List<String> cidrTexts() {
    return cidrs.stream().map(Cidr::toString).toList();
  }
}
