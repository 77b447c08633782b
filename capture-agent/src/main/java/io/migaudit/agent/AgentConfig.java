package io.migaudit.agent;

import io.migaudit.agent.flow.FlowTableConfig;
import io.migaudit.record.PortCatalog;

/**
 * Settings of a capture agent.
 *
 * @param agentId name written into every record (host name by default)
 * @param flowTable flow table bounds and timeouts
 * @param catalog ports that carry migration (built-in catalog plus the user's additions)
 * @param sampleBytes payload bytes sampled per flow direction for statistics
 * @param sampleBytesPerPacket at most this many bytes of each packet go into the sample
 */
public record AgentConfig(
    String agentId, FlowTableConfig flowTable, PortCatalog catalog, int sampleBytes, int sampleBytesPerPacket) {

  public static final int DEFAULT_SAMPLE_BYTES = 64 * 1024;
  public static final int DEFAULT_SAMPLE_BYTES_PER_PACKET = 512;

  /** The same settings with another port catalog (e.g. the built-in one plus a policy's ports). */
  public AgentConfig withCatalog(PortCatalog other) {
    return new AgentConfig(agentId, flowTable, other, sampleBytes, sampleBytesPerPacket);
  }

  public static AgentConfig defaults(String agentId) {
    return new AgentConfig(agentId, FlowTableConfig.defaults(), PortCatalog.builtIn(), DEFAULT_SAMPLE_BYTES,
        DEFAULT_SAMPLE_BYTES_PER_PACKET);
  }
}
