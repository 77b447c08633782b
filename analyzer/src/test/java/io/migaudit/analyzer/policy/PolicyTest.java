package io.migaudit.analyzer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.rules.Flows;
import io.migaudit.record.PortCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyTest {
  private final Policy policy = Flows.samplePolicy();

  @Test
  void trustsListedAddressesAndNetworks() {
    Policy withCidr =
        new Policy(
            EncryptionMode.REQUIRED,
            List.of(),
            Flows.cidrs("10.20.0.0/16", "fd00:99::/48"),
            PortCatalog.builtIn());
    assertThat(withCidr.isTrusted("10.20.3.4")).isTrue();
    assertThat(withCidr.isTrusted("10.21.3.4")).isFalse();
    assertThat(withCidr.isTrusted("fd00:99:0:1::5")).isTrue();
    assertThat(policy.isTrusted("192.168.50.11")).isTrue();
    assertThat(policy.isTrusted("192.168.50.13")).isFalse();
  }

  @Test
  void findsTheNetworkHoldingBothAddresses() {
    assertThat(policy.networkContaining("192.168.50.11", "192.168.50.12"))
        .map(MigrationNetwork::name)
        .contains("vmotion");
    assertThat(policy.networkContaining("fd00:50::11", "fd00:50::12"))
        .map(MigrationNetwork::name)
        .contains("vmotion");
    assertThat(policy.networkContaining("192.168.50.11", "10.66.0.21")).isEmpty();
    assertThat(policy.networkWithVlan(66)).map(MigrationNetwork::name).contains("live-migration");
    assertThat(policy.networkWithVlan(10)).isEmpty();
  }

  @Test
  void defaultsRequireEncryptionAndListNothing() {
    Policy d = Policy.defaults();
    assertThat(d.encryption()).isEqualTo(EncryptionMode.REQUIRED);
    assertThat(d.migrationNetworks()).isEmpty();
    assertThat(d.trustedHosts()).isEmpty();
    assertThat(d.catalog().protocolOf("tcp", 8000)).isEqualTo("vmotion");
  }
}
