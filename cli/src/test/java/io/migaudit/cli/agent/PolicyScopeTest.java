package io.migaudit.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.migaudit.agent.source.CaptureFilter;
import io.migaudit.agent.source.CaptureScope;
import io.migaudit.cli.common.UserError;
import io.migaudit.record.PortCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live capture's scope, learnt from the samples' policy file. */
class PolicyScopeTest {
  @TempDir Path dir;

  @Test
  void samplesPolicyGivesItsNetworksAndHypervisorHosts() throws Exception {
    CaptureScope scope = PolicyScope.of(Path.of("../samples/policy.yaml"));
    assertThat(scope.migrationNetworks())
        .containsExactly(List.of("192.168.50.0/24", "fd00:50::/64"), List.of("10.66.0.0/24"));
    assertThat(scope.hypervisorHosts())
        .contains("192.168.50.11/32", "10.10.0.12/32", "fd00:50::12/128", "192.168.50.41/32")
        .doesNotHaveDuplicates();
    assertThat(CaptureFilter.of(PortCatalog.builtIn(), scope, null))
        .contains("(src net 10.66.0.0/24) and (dst net 10.66.0.0/24)")
        .contains("(tcp or udp) and (src net 192.168.50.11/32 or");
  }

  @Test
  void aBadPolicyIsAOneLineUserError() throws Exception {
    Path bad = Files.writeString(dir.resolve("policy.yaml"), "encryption: sometimes\n");
    assertThatThrownBy(() -> PolicyScope.of(bad))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("--policy: ")
        .hasMessageNotContaining("\n");
  }
}
