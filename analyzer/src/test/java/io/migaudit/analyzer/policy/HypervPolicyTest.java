package io.migaudit.analyzer.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HypervPolicyTest {
  private static final String HYPERV =
      """
      hyperv:
        kerberosAudit: true
        ticketLifetime: 90m
        hosts:
          HV-01.corp.example: [10.66.0.21, 10.10.0.21]
          hv-02.corp.example: 10.66.0.22
          hv-06.corp.example: ["fd00:66:0:0::6"]
      """;

  private static Policy parse(String yaml) throws PolicyException {
    return PolicyLoader.parse("policy.yaml", yaml);
  }

  private static void assertRejected(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(PolicyException.class).hasMessage(message);
  }

  @Test
  void readsTheSection() throws Exception {
    HypervPolicy h = parse(HYPERV).hyperv();
    assertThat(h.kerberosAudit()).isTrue();
    assertThat(h.ticketLifetime()).isEqualTo(Duration.ofMinutes(90));
    assertThat(h.hostHasAddress("hv-01.CORP.example", "10.10.0.21")).isTrue();
    assertThat(h.hostHasAddress("hv-01.corp.example", "10.66.0.22")).isFalse();
    assertThat(h.hostHasAddress("hv-02.corp.example", "10.66.0.22")).isTrue();
    assertThat(h.hostHasAddress("hv-06.corp.example", "fd00:66::6")).as("canonical IPv6").isTrue();
    assertThat(h.hostHasAddress("10.66.0.22", "10.66.0.22")).as("an address as host name").isTrue();
    assertThat(h.knowsHost("hv-09.corp.example")).isFalse();
    assertThat(h.addressesOfHostWith("10.66.0.21")).containsExactly("10.66.0.21", "10.10.0.21");
    assertThat(h.addressesOfHostWith("10.10.0.21")).containsExactly("10.10.0.21", "10.66.0.21");
    assertThat(h.addressesOfHostWith("10.9.9.9")).containsExactly("10.9.9.9");
  }

  @Test
  void offWhenAbsentWithTheDefaultLifetime() throws Exception {
    HypervPolicy h = parse("encryption: required\n").hyperv();
    assertThat(h.kerberosAudit()).isFalse();
    assertThat(h.ticketLifetime()).isEqualTo(Duration.ofHours(10));
    assertThat(parse("hyperv: {hosts: {a.example: 10.0.0.1}}\n").hyperv().kerberosAudit())
        .isFalse();
  }

  @Test
  void theSamplesPolicyAuditsHvHosts() throws Exception {
    HypervPolicy h = PolicyLoader.load(Path.of("../samples/policy.yaml")).hyperv();
    assertThat(h.kerberosAudit()).isTrue();
    assertThat(h.hostHasAddress("hv-02.corp.example", "10.66.0.22")).isTrue();
  }

  @Test
  void badValuesAreNamedWithTheirLine() {
    assertRejected(
        "hyperv:\n  kerberosAudit: yes please\n",
        "policy.yaml:2: hyperv.kerberosAudit: \"yes please\" is not true or false");
    assertRejected(
        "hyperv:\n  ticketLifetime: 10 hours\n",
        "policy.yaml:2: hyperv.ticketLifetime: \"10 hours\" is not a duration like \"10h\", \"90m\" or \"600s\"");
    assertRejected(
        "hyperv:\n  ticketLifetime: 30s\n",
        "policy.yaml:2: hyperv.ticketLifetime: \"30s\" is not between 1m and 168h");
    assertRejected(
        "hyperv:\n  hosts:\n    hv-02.corp.example: 10.66.0.0/24\n",
        "policy.yaml:3: hyperv.hosts.hv-02.corp.example: \"10.66.0.0/24\" is not an IPv4 or IPv6 address (one address, not a network)");
    assertRejected(
        "hyperv:\n  hosts: [10.66.0.22]\n",
        "policy.yaml:2: hyperv.hosts: expected a mapping of host names to addresses, not a list");
    assertRejected(
        "hyperv:\n  kerberosaudit: true\n",
        "policy.yaml:2: hyperv: unknown field \"kerberosaudit\" (did you mean kerberosAudit?)");
  }

  @Test
  void namesMayShareAddressesButNotRepeat() throws Exception {
    HypervPolicy h =
        parse(
                "hyperv:\n  hosts:\n    hv-02: [10.66.0.22, 10.10.0.22]\n"
                    + "    hv-02.corp.example: [10.66.0.22, 10.10.0.22]\n")
            .hyperv();
    assertThat(h.hostHasAddress("HV-02", "10.66.0.22")).isTrue();
    assertThat(h.hostHasAddress("hv-02.corp.example", "10.66.0.22")).isTrue();
    assertThat(h.addressesOfHostWith("10.10.0.22")).containsExactly("10.10.0.22", "10.66.0.22");
    assertThatThrownBy(
            () -> parse("hyperv:\n  hosts:\n    a.example: 10.0.0.1\n    A.example: 10.0.0.2\n"))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("listed twice");
  }
}
