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
    String agentId,
    FlowTableConfig flowTable,
    PortCatalog catalog,
    int sampleBytes,
    int sampleBytesPerPacket) {

  /**
   * 256 KiB per direction: compressed data's chi-square grows with the sample while uniform data's
   * stays near 255, so a larger sample separates compressed from encrypted; it is read once per
   * flow.
   */
  public static final int DEFAULT_SAMPLE_BYTES = 256 * 1024;

  /** Whole standard-MTU segments; larger (TSO/jumbo) frames are sampled in part. */
  public static final int DEFAULT_SAMPLE_BYTES_PER_PACKET = 1500;

  /** The same settings with another port catalog (e.g. the built-in one plus a policy's ports). */
  public AgentConfig withCatalog(PortCatalog other) {
    return new AgentConfig(agentId, flowTable, other, sampleBytes, sampleBytesPerPacket);
  }

  /** The same settings with other flow table bounds and timeouts. */
  public AgentConfig withFlowTable(FlowTableConfig other) {
    return new AgentConfig(agentId, other, catalog, sampleBytes, sampleBytesPerPacket);
  }

  public static AgentConfig defaults(String agentId) {
    return new AgentConfig(
        agentId,
        FlowTableConfig.defaults(),
        PortCatalog.builtIn(),
        DEFAULT_SAMPLE_BYTES,
        DEFAULT_SAMPLE_BYTES_PER_PACKET);
  }
}
