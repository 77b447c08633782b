package io.migaudit.analyzer.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {
  private static final Path SAMPLE = Path.of("..", "samples", "policy.yaml");

  @TempDir Path dir;

  private static Policy parse(String yaml) throws PolicyException {
    return PolicyLoader.parse("policy.yaml", yaml);
  }

  private static void assertRejected(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(PolicyException.class).hasMessage(message);
  }

  @Test
  void loadsTheSamplePolicy() throws Exception {
    Policy p = PolicyLoader.load(SAMPLE);
    assertThat(p.encryption()).isEqualTo(EncryptionMode.REQUIRED);
    assertThat(p.migrationNetworks())
        .extracting(MigrationNetwork::name)
        .containsExactly("vmotion", "live-migration");
    assertThat(p.migrationNetworks().get(0).cidrTexts())
        .containsExactly("192.168.50.0/24", "fd00:50::/64");
    assertThat(p.migrationNetworks().get(0).vlans()).containsExactly(50);
    assertThat(p.migrationNetworks().get(0).vnis()).containsExactly(5000);
    assertThat(p.migrationNetworks().get(1).vnis()).isEmpty();
    assertThat(p.trustedHosts()).hasSize(9);
    assertThat(p.isTrusted("fd00:50::12")).isTrue();
    assertThat(p.isTrusted("10.10.0.13")).isFalse();
    assertThat(p.zones())
        .extracting(TrustZone::name)
        .containsExactly("prod", "dev", "hv-21", "hv-22");
    assertThat(p.pathAllowed("prod", "dev")).isTrue();
    assertThat(p.pathAllowed("dev", "prod")).isFalse();
    // per-destination allowed sources, Hyper-V style: one zone per host, paths into it
    assertThat(p.sourcesAllowedInto("hv-22")).containsExactly("hv-22", "hv-21");
  }

  @Test
  void emptyDocumentTakesDefaults() throws Exception {
    Policy p = parse("# nothing but a comment\n");
    assertThat(p.encryption()).isEqualTo(EncryptionMode.REQUIRED);
    assertThat(p.migrationNetworks()).isEmpty();
    assertThat(p.trustedHosts()).isEmpty();
  }

  @Test
  void omittedAndEmptyFieldsTakeDefaults() throws Exception {
    Policy p = parse("trustedHosts:\nmigrationNetworks: []\n");
    assertThat(p.encryption()).isEqualTo(EncryptionMode.REQUIRED);
    assertThat(p.trustedHosts()).isEmpty();
    assertThat(p.migrationNetworks()).isEmpty();
  }

  @Test
  void readsEveryEncryptionMode() throws Exception {
    assertThat(parse("encryption: opportunistic").encryption())
        .isEqualTo(EncryptionMode.OPPORTUNISTIC);
    assertThat(parse("encryption: disabled").encryption()).isEqualTo(EncryptionMode.DISABLED);
    assertThat(parse("encryption: required").encryption()).isEqualTo(EncryptionMode.REQUIRED);
  }

  @Test
  void policyPortsExtendAndOverrideTheCatalog() throws Exception {
    Policy p =
        parse(
            """
        ports:
          - {protocol: vmotion-lab, transport: tcp, ports: [8000, "49152-49215", "7000"]}
          - {protocol: custom-udp, transport: udp, ports: [9999]}
        """);
    assertThat(p.catalog().protocolOf("tcp", 8000)).isEqualTo("vmotion-lab");
    assertThat(p.catalog().protocolOf("tcp", 49200)).isEqualTo("vmotion-lab");
    assertThat(p.catalog().protocolOf("tcp", 7000)).isEqualTo("vmotion-lab");
    assertThat(p.catalog().protocolOf("udp", 9999)).isEqualTo("custom-udp");
    assertThat(p.catalog().protocolOf("tcp", 6600)).isEqualTo("hyperv");
    assertThat(p.catalogProtocols()).contains("vmotion-lab", "custom-udp", "hyperv");
  }

  @Test
  void badCidrNamesFileLineAndField() {
    assertRejected(
        """
        encryption: required
        migrationNetworks:
          - name: vmotion
            cidrs: [192.168.50.0/24,
                    "192.168.500.0/24"]
        """,
        "policy.yaml:5: migrationNetworks[0].cidrs[1]: \"192.168.500.0/24\" is not an IPv4 or IPv6 CIDR");
  }

  @Test
  void badEncryptionMode() {
    assertRejected(
        "encryption: sometimes\n",
        "policy.yaml:1: encryption: \"sometimes\" is not one of required, opportunistic, disabled");
    assertRejected(
        "encryption: off\n",
        "policy.yaml:1: encryption: \"off\" is not one of required, opportunistic, disabled");
    assertRejected(
        "encryption: Required\n",
        "policy.yaml:1: encryption: \"Required\" is not one of required, opportunistic, disabled");
  }

  @Test
  void unknownTopLevelFieldSuggestsTheRightOne() {
    assertRejected(
        """
        encryption: required
        trustedHost: [192.168.50.11]
        """,
        "policy.yaml:2: unknown field \"trustedHost\" (did you mean trustedHosts?)");
    assertRejected(
        "migration_networks: []\n",
        "policy.yaml:1: unknown field \"migration_networks\" (did you mean migrationNetworks?)");
  }

  @Test
  void unknownFieldWithNothingCloseListsTheKnownOnes() {
    assertRejected(
        "colour: blue\n",
        "policy.yaml:1: unknown field \"colour\" "
            + "(expected one of encryption, migrationNetworks, trustedHosts, ports, zones, allowedPaths, hyperv, crypto, routable)");
  }

  @Test
  void unknownNestedField() {
    assertRejected(
        """
        migrationNetworks:
          - name: vmotion
            cidr: [192.168.50.0/24]
        """,
        "policy.yaml:3: migrationNetworks[0]: unknown field \"cidr\" (did you mean cidrs?)");
  }

  @Test
  void syntaxErrorNamesTheLine() {
    assertThatThrownBy(() -> parse("encryption: required\ntrustedHosts: [1.2.3.4\nports: []\n"))
        .isInstanceOf(PolicyException.class)
        .hasMessageStartingWith("policy.yaml:3: YAML syntax error: ")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> parse("a: b\n  c: d: e\n"))
        .hasMessage("policy.yaml:2: YAML syntax error: mapping values are not allowed here");
  }

  /** Found by PolicyFuzzTest: a quoted key with line breaks made the error several lines. */
  @Test
  void aKeyWithLineBreaksIsQuotedOnOneLine() {
    assertRejected(
        "encryption: required\n\"enc\\nry\\tption\\u2028\": x\n",
        "policy.yaml:2: unknown field \"enc\\nry\\tption\\u2028\" (expected one of encryption,"
            + " migrationNetworks, trustedHosts, ports, zones, allowedPaths, hyperv, crypto,"
            + " routable)");
  }

  @Test
  void duplicateField() {
    assertRejected(
        "encryption: required\nencryption: disabled\n",
        "policy.yaml:2: duplicate field \"encryption\"");
  }

  @Test
  void aliasesAreRefused() {
    assertRejected(
        """
        migrationNetworks:
          - name: a
            cidrs: &nets [192.168.50.0/24]
          - name: b
            cidrs: *nets
        """,
        "policy.yaml:5: migrationNetworks[1].cidrs: YAML aliases (*nets) are not supported;"
            + " write the value out");
  }

  @Test
  void secondDocumentIsRefused() {
    assertRejected(
        "encryption: required\n---\nencryption: disabled\n",
        "policy.yaml:3: only one YAML document is allowed");
  }

  @Test
  void rootMustBeAMapping() {
    assertRejected(
        "- encryption\n",
        "policy.yaml:1: a policy is a mapping of encryption, "
            + "migrationNetworks, trustedHosts, ports, zones, allowedPaths, hyperv, crypto, routable, not a list");
  }

  @Test
  void listFieldsMustBeLists() {
    assertRejected(
        "trustedHosts: 192.168.50.11\n",
        "policy.yaml:1: trustedHosts: expected a list, not \"192.168.50.11\"");
    assertRejected(
        "migrationNetworks:\n  vmotion: {}\n",
        "policy.yaml:1: migrationNetworks: expected a list, not a mapping");
  }

  @Test
  void networkEntriesMustBeMappings() {
    assertRejected(
        "migrationNetworks: [vmotion]\n",
        "policy.yaml:1: migrationNetworks[0]: "
            + "expected a mapping of name, cidrs, vlans, vnis, not \"vmotion\"");
  }

  @Test
  void networkNeedsNameAndCidrs() {
    assertRejected(
        "migrationNetworks:\n  - cidrs: [192.168.50.0/24]\n",
        "policy.yaml:2: migrationNetworks[0]: missing field \"name\"");
    assertRejected(
        "migrationNetworks:\n  - name: vmotion\n",
        "policy.yaml:2: migrationNetworks[0]: missing field \"cidrs\"");
    assertRejected(
        "migrationNetworks:\n  - name: vmotion\n    cidrs: []\n",
        "policy.yaml:3: migrationNetworks[0].cidrs: a migration network needs at least one CIDR");
  }

  @Test
  void networkNamesAreUnique() {
    assertRejected(
        """
        migrationNetworks:
          - {name: vmotion, cidrs: [192.168.50.0/24]}
          - name: vmotion
            cidrs: [192.168.60.0/24]
        """,
        "policy.yaml:3: migrationNetworks[1].name: \"vmotion\" is already the name of "
            + "migrationNetworks[0]");
  }

  @Test
  void vlanIdsAreChecked() {
    assertRejected(
        "migrationNetworks:\n  - {name: v, cidrs: [10.0.0.0/8], vlans: [50, 4095]}\n",
        "policy.yaml:2: migrationNetworks[0].vlans[1]: 4095 is not a VLAN id (1-4094)");
    assertRejected(
        "migrationNetworks:\n  - {name: v, cidrs: [10.0.0.0/8], vlans: [\"50\"]}\n",
        "policy.yaml:2: migrationNetworks[0].vlans[0]: \"50\" is not a VLAN id (1-4094)");
    assertRejected(
        "migrationNetworks:\n  - {name: v, cidrs: [10.0.0.0/8], vlans: [0]}\n",
        "policy.yaml:2: migrationNetworks[0].vlans[0]: 0 is not a VLAN id (1-4094)");
  }

  @Test
  void vnisAreChecked() {
    assertRejected(
        "migrationNetworks:\n  - {name: v, cidrs: [10.0.0.0/8], vnis: [5000, 16777216]}\n",
        "policy.yaml:2: migrationNetworks[0].vnis[1]: 16777216 is not a VXLAN or Geneve VNI"
            + " (0-16777215)");
    assertRejected(
        "migrationNetworks:\n  - {name: v, cidrs: [10.0.0.0/8], vnis: [-1]}\n",
        "policy.yaml:2: migrationNetworks[0].vnis[0]: -1 is not a VXLAN or Geneve VNI"
            + " (0-16777215)");
  }

  @Test
  void trustedHostsMustBeLiterals() {
    assertRejected(
        "trustedHosts:\n  - 192.168.50.11\n  - vcenter.local\n",
        "policy.yaml:3: trustedHosts[1]: \"vcenter.local\" is not an IPv4 or IPv6 address or CIDR"
            + " (host names are not looked up)");
    assertRejected(
        "trustedHosts: [10]\n",
        "policy.yaml:1: trustedHosts[0]: 10 is not an IPv4 or IPv6 address or CIDR");
  }

  @Test
  void hostBitsSetSuggestsTheNetwork() {
    assertRejected(
        "trustedHosts: [192.168.50.1/24]\n",
        "policy.yaml:1: trustedHosts[0]: \"192.168.50.1/24\" has host bits set"
            + " (did you mean 192.168.50.0/24?)");
  }

  @Test
  void acceptsIpv6TrustedHostsAndNetworks() throws Exception {
    Policy p = parse("trustedHosts: [\"fd00:50::/64\", \"2001:db8::1\"]\n");
    assertThat(p.isTrusted("fd00:50::abcd")).isTrue();
    assertThat(p.isTrusted("2001:db8::1")).isTrue();
    assertThat(p.isTrusted("2001:db8::2")).isFalse();
  }

  @Test
  void portEntriesAreChecked() {
    assertRejected(
        "ports:\n  - {transport: tcp, ports: [1]}\n",
        "policy.yaml:2: ports[0]: missing field \"protocol\"");
    assertRejected(
        "ports:\n  - {protocol: x, ports: [1]}\n",
        "policy.yaml:2: ports[0]: missing field \"transport\"");
    assertRejected(
        "ports:\n  - {protocol: x, transport: tcp}\n",
        "policy.yaml:2: ports[0]: missing field \"ports\"");
    assertRejected(
        "ports:\n  - {protocol: x, transport: sctp, ports: [1]}\n",
        "policy.yaml:2: ports[0].transport: \"sctp\" is not one of tcp, udp");
    assertRejected(
        "ports:\n  - {protocol: \"Bad Name\", transport: tcp, ports: [1]}\n",
        "policy.yaml:2: ports[0].protocol: \"Bad Name\" is not a protocol name"
            + " (lowercase letters, digits, '.', '_', '-')");
    assertRejected(
        "ports:\n  - {protocol: x, transport: tcp, ports: []}\n",
        "policy.yaml:2: ports[0].ports: needs at least one port");
    assertRejected(
        "ports:\n  - {protocol: x, transport: tcp, prots: [1]}\n",
        "policy.yaml:2: ports[0]: unknown field \"prots\" (did you mean ports?)");
  }

  @Test
  void portsAndRangesAreChecked() {
    String what = " is not a port (1-65535) or a range like \"49152-49215\"";
    assertRejected(
        "ports:\n  - {protocol: x, transport: tcp, ports: [70000]}\n",
        "policy.yaml:2: ports[0].ports[0]: 70000" + what);
    assertRejected(
        "ports:\n  - {protocol: x, transport: tcp, ports: [\"49215-49152\"]}\n",
        "policy.yaml:2: ports[0].ports[0]: \"49215-49152\"" + what);
    assertRejected(
        "ports:\n  - {protocol: x, transport: tcp, ports: [8000, \"80-x\"]}\n",
        "policy.yaml:2: ports[0].ports[1]: \"80-x\"" + what);
    assertRejected(
        "ports:\n  - {protocol: x, transport: tcp, ports: [0]}\n",
        "policy.yaml:2: ports[0].ports[0]: 0" + what);
  }

  @Test
  void missingFile() {
    Path missing = dir.resolve("missing.yaml");
    assertThatThrownBy(() -> PolicyLoader.load(missing))
        .isInstanceOf(PolicyException.class)
        .hasMessage(missing + ": no such file");
  }

  @Test
  void directoryIsNotAPolicy() {
    assertThatThrownBy(() -> PolicyLoader.load(dir))
        .isInstanceOf(PolicyException.class)
        .hasMessage(dir + ": is a directory, not a policy file");
  }

  @Test
  void binaryFileIsRefused() throws IOException {
    Path bin = dir.resolve("capture.pcap");
    Files.write(bin, new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, (byte) 0xff});
    assertThatThrownBy(() -> PolicyLoader.load(bin))
        .isInstanceOf(PolicyException.class)
        .hasMessage(bin + ": not UTF-8 text");
  }

  @Test
  void hugeFileIsRefused() throws IOException {
    Path big = dir.resolve("big.yaml");
    Files.write(big, new byte[(int) PolicyLoader.MAX_FILE_BYTES + 1]);
    assertThatThrownBy(() -> PolicyLoader.load(big))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("not a policy file");
  }

  @Test
  void fileErrorsNameTheFileAsGiven() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file, "encryption: required\n\ntrustedHosts:\n  - 192.168.50.11\n  - 192.168.50.300\n");
    assertThatThrownBy(() -> PolicyLoader.load(file))
        .hasMessage(
            file
                + ":5: trustedHosts[1]: \"192.168.50.300\" is not an IPv4 or IPv6 address or CIDR");
  }
}
