package io.migaudit.cli.agent;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.source.CaptureFilter;
import io.migaudit.agent.source.CaptureScope;
import io.migaudit.agent.source.LiveCaptureOptions;
import io.migaudit.analyzer.policy.Cidr;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyException;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.policy.TrustZone;
import io.migaudit.cli.common.UserError;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a live capture learns from the analyzer's policy file ({@code --policy}, {@code policy:} in
 * the agent config): the CIDRs of each migration network, and the hypervisor hosts, i.e. the
 * trusted hosts and the hosts of every trust zone. The agent does not judge by them; it only
 * captures enough for the analyzer to.
 */
final class PolicyScope {
  private PolicyScope() {}

  static CaptureScope of(Path file) throws UserError {
    return of(load(file));
  }

  /** The policy file, or a one-line user error. */
  static Policy load(Path file) throws UserError {
    try {
      return PolicyLoader.load(file);
    } catch (PolicyException e) {
      throw new UserError("--policy: " + e.getMessage(), e);
    }
  }

  static CaptureScope of(Policy policy) {
    List<List<String>> networks =
        policy.migrationNetworks().stream()
            .map(n -> n.cidrs().stream().map(Cidr::toString).toList())
            .toList();
    Set<String> hosts = new LinkedHashSet<>();
    policy.trustedHosts().forEach(c -> hosts.add(c.toString()));
    for (TrustZone zone : policy.zones()) {
      zone.hosts().forEach(c -> hosts.add(c.toString()));
    }
    return new CaptureScope(networks, List.copyOf(hosts));
  }

  /**
   * How the agent's live capture opens its interfaces: the settings' snap length, mode and buffer,
   * and the built-in filter; with a policy, its ports, networks and hypervisor hosts widen the
   * filter.
   */
  static LiveCaptureOptions captureOptions(AgentSettings settings, AgentConfig config)
      throws UserError {
    String filter;
    if (settings.policy() == null) {
      filter = CaptureFilter.of(config.catalog(), settings.bpfExtra());
    } else {
      Policy policy = load(settings.policy());
      filter =
          CaptureFilter.of(
              config.catalog().with(policy.catalog().entries()), of(policy), settings.bpfExtra());
    }
    return new LiveCaptureOptions(
        settings.snaplen(),
        settings.promiscuous(),
        settings.bufferSize(),
        false,
        LiveCaptureOptions.DEFAULT_READ_TIMEOUT,
        filter);
  }
}
