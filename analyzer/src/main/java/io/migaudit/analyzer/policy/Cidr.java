package io.migaudit.analyzer.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * An IPv4 or IPv6 network such as {@code 192.168.50.0/24} or {@code fd00:50::/64}; a bare address
 * is a /32 or /128. Parsed from literals only (never DNS), so {@code vcenter.local} is refused.
 */
public final class Cidr {
  private static final int MAX_PREFIX_DIGITS = 3;

  private final IpAddress network;
  private final int prefixLength;

  private Cidr(IpAddress network, int prefixLength) {
    this.network = network;
    this.prefixLength = prefixLength;
  }

  /**
   * The network written in {@code text}, or empty when it is not an address or CIDR literal, or
   * when bits after the prefix are set ({@code 192.168.50.1/24}), which usually hides a typo.
   */
  public static Optional<Cidr> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int slash = text.indexOf('/');
    IpAddress address = IpAddress.parse(slash < 0 ? text : text.substring(0, slash));
    if (address == null) {
      return Optional.empty();
    }
    int prefix = slash < 0 ? address.bitLength() : prefixLength(text.substring(slash + 1));
    if (prefix < 0 || prefix > address.bitLength() || !address.hostBitsZero(prefix)) {
      return Optional.empty();
    }
    return Optional.of(new Cidr(address, prefix));
  }

  /**
   * The network {@code text} probably meant when its host bits are set ({@code 192.168.50.0/24} for
   * {@code 192.168.50.1/24}), for error messages; empty when {@code text} is not of that kind.
   */
  public static Optional<String> withoutHostBits(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    IpAddress address = slash < 0 ? null : IpAddress.parse(text.substring(0, slash));
    int prefix = slash < 0 ? -1 : prefixLength(text.substring(slash + 1));
    if (address == null
        || prefix < 0
        || prefix > address.bitLength()
        || address.hostBitsZero(prefix)) {
      return Optional.empty();
    }
    return Optional.of(address.masked(prefix) + "/" + prefix);
  }

  /** True when {@code address} is an address literal inside this network (same family). */
  public boolean contains(String address) {
    IpAddress a = IpAddress.parse(address);
    return a != null && network.samePrefix(a, prefixLength);
  }

  /** True when this network and {@code other} share at least one address. */
  public boolean overlaps(Cidr other) {
    return network.samePrefix(other.network, Math.min(prefixLength, other.prefixLength));
  }

  public int prefixLength() {
    return prefixLength;
  }

  /** 4 or 6. */
  public int ipVersion() {
    return network.bitLength() == IpAddress.IPV4_BYTES * Byte.SIZE ? 4 : 6;
  }

  private static int prefixLength(String digits) {
    if (digits.isEmpty() || digits.length() > MAX_PREFIX_DIGITS) {
      return -1;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return -1;
      }
    }
    return Integer.parseInt(digits);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefixLength == prefixLength && c.network.equals(network);
  }

  @Override
  public int hashCode() {
    return Objects.hash(network, prefixLength);
  }

  /** Canonical text: {@code 192.168.50.0/24}, {@code fd00:50::/64} (RFC 5952). */
  @Override
  public String toString() {
    return network + "/" + prefixLength;
  }
}
