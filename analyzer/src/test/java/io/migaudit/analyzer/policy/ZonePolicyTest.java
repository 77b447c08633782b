package io.migaudit.analyzer.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ZonePolicyTest {
  private static final String ZONES =
      """
      zones:
        - name: prod
          hosts: [10.1.0.0/24, "fd00:1::/64"]
        - name: dev
          hosts: [10.2.0.0/24]
        - name: hv-07
          hosts: [10.3.0.7]
      allowedPaths:
        - {from: dev, to: prod}
        - {from: prod, to: hv-07}
      """;

  private static Policy parse(String yaml) throws PolicyException {
    return PolicyLoader.parse("policy.yaml", yaml);
  }

  private static void assertRejected(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(PolicyException.class).hasMessage(message);
  }

  @Test
  void readsZonesAndPaths() throws Exception {
    Policy p = parse(ZONES);
    assertThat(p.zones()).extracting(TrustZone::name).containsExactly("prod", "dev", "hv-07");
    assertThat(p.allowedPaths())
        .containsExactly(new ZonePath("dev", "prod"), new ZonePath("prod", "hv-07"));
    assertThat(p.zoneOf("10.1.0.9")).map(TrustZone::name).contains("prod");
    assertThat(p.zoneOf("fd00:1::9")).map(TrustZone::name).contains("prod");
    assertThat(p.zoneOf("10.3.0.7")).map(TrustZone::name).contains("hv-07");
    assertThat(p.zoneOf("10.3.0.8")).isEmpty();
  }

  @Test
  void pathsAreDirectedAndZonesAdmitThemselves() throws Exception {
    Policy p = parse(ZONES);
    assertThat(p.pathAllowed("dev", "prod")).isTrue();
    assertThat(p.pathAllowed("prod", "dev")).isFalse();
    assertThat(p.pathAllowed("dev", "dev")).isTrue();
    assertThat(p.pathAllowed("dev", "hv-07")).isFalse();
    assertThat(p.sourcesAllowedInto("hv-07")).containsExactly("hv-07", "prod");
  }

  @Test
  void noZonesByDefault() throws Exception {
    Policy p = parse("encryption: required\n");
    assertThat(p.zones()).isEmpty();
    assertThat(p.allowedPaths()).isEmpty();
  }

  @Test
  void overlappingZonesNameBothSides() {
    assertRejected(
        """
        zones:
          - name: prod
            hosts: [10.1.0.0/24, 10.9.0.1]
          - name: dev
            hosts: [10.2.0.0/24, 10.1.0.128/25]
        """,
        "policy.yaml:5: zones[1].hosts[1]: 10.1.0.128/25 overlaps 10.1.0.0/24 of zone \"prod\""
            + " (zones[0].hosts[0]); an address may be in one zone only");
  }

  @Test
  void aHostInsideAnotherZonesNetworkOverlaps() {
    assertRejected(
        """
        zones:
          - {name: prod, hosts: [10.1.0.5]}
          - {name: all, hosts: [10.0.0.0/8]}
        """,
        "policy.yaml:3: zones[1].hosts[0]: 10.0.0.0/8 overlaps 10.1.0.5/32 of zone \"prod\""
            + " (zones[0].hosts[0]); an address may be in one zone only");
  }

  @Test
  void overlapWithinOneZoneIsAllowed() throws Exception {
    assertThat(parse("zones: [{name: prod, hosts: [10.1.0.0/24, 10.1.0.7]}]\n").zones()).hasSize(1);
  }

  @Test
  void unknownZoneInAPathIsRejected() {
    assertRejected(
        ZONES + "  - {from: prd, to: dev}\n",
        "policy.yaml:11: allowedPaths[2].from: \"prd\" is not a zone (did you mean prod?)");
    assertRejected(
        ZONES + "  - {from: dev, to: staging}\n",
        "policy.yaml:11: allowedPaths[2].to: \"staging\" is not a zone"
            + " (expected one of prod, dev, hv-07)");
  }

  @Test
  void pathsWithoutZonesAreRejected() {
    assertRejected(
        "allowedPaths: [{from: a, to: b}]\n",
        "policy.yaml:1: allowedPaths[0].from: \"a\" is not a zone (the policy defines no zones)");
  }

  @Test
  void zoneShapeIsChecked() {
    assertRejected("zones: [{name: prod}]\n", "policy.yaml:1: zones[0]: missing field \"hosts\"");
    assertRejected(
        "zones: [{name: prod, hosts: []}]\n",
        "policy.yaml:1: zones[0].hosts: a zone needs at least one address or CIDR");
    assertRejected(
        "zones: [{name: a, hosts: [10.0.0.1]}, {name: a, hosts: [10.0.0.2]}]\n",
        "policy.yaml:1: zones[1].name: \"a\" is already the name of zones[0]");
    assertRejected(
        "zones: [{name: a, host: [10.0.0.1]}]\n",
        "policy.yaml:1: zones[0]: unknown field \"host\" (did you mean hosts?)");
    assertRejected(
        "zones: [{name: a, hosts: [10.0.0.300]}]\n",
        "policy.yaml:1: zones[0].hosts[0]: \"10.0.0.300\" is not an IPv4 or IPv6 address or CIDR");
    assertRejected(
        "allowedPaths: [{from: a}]\n",
        "policy.yaml:1: allowedPaths[0].from: \"a\" is not a zone"
            + " (the policy defines no zones)");
  }

  @Test
  void cidrsOverlapOnlyWithinOneFamily() {
    Cidr v4 = Cidr.parse("10.0.0.0/8").orElseThrow();
    assertThat(v4.overlaps(Cidr.parse("10.200.0.0/16").orElseThrow())).isTrue();
    assertThat(Cidr.parse("10.200.0.0/16").orElseThrow().overlaps(v4)).isTrue();
    assertThat(v4.overlaps(Cidr.parse("11.0.0.0/8").orElseThrow())).isFalse();
    assertThat(Cidr.parse("::/0").orElseThrow().overlaps(v4)).isFalse();
  }
}
