package io.migaudit.analyzer.policy;

import java.util.List;

/**
 * The policy's {@code routable} section: where migrations may cross routers on purpose (vSphere's
 * vMotion TCP/IP stack with a gateway, stretched clusters). Anything else routed raises {@code
 * ROUTED_MIGRATION}.
 *
 * @param allowed the allowed routed paths; empty: no migration may be routed
 */
public record RoutablePolicy(List<RoutedPath> allowed) {

  public RoutablePolicy {
    allowed = allowed == null ? List.of() : List.copyOf(allowed);
  }

  /** No routed migration is allowed. */
  public static RoutablePolicy none() {
    return new RoutablePolicy(List.of());
  }

  /**
   * One allowed routed path, in either direction.
   *
   * @param from one end's network
   * @param to the other end's network
   * @param maxHops most routers a packet may cross; 0 for no bound
   */
  public record RoutedPath(Cidr from, Cidr to, int maxHops) {
    public boolean admits(String a, String b, int hops) {
      boolean between = from.contains(a) && to.contains(b) || from.contains(b) && to.contains(a);
      return between && (maxHops == 0 || hops <= maxHops);
    }
  }

  /**
   * The allowed path that admits a migration between {@code a} and {@code b} over {@code hops}
   * routers.
   */
  public RoutedPath admitting(String a, String b, int hops) {
    return allowed.stream().filter(p -> p.admits(a, b, hops)).findFirst().orElse(null);
  }
}
