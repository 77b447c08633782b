package io.migaudit.agent.live;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.source.CaptureBackend;
import io.migaudit.agent.source.LiveCaptureOptions;
import java.util.List;

/**
 * What a {@link LiveAgent} captures with.
 *
 * @param agent the agent id and the catalog of each capture thread's pipeline
 * @param interfaces the interfaces to capture on, one capture group each ({@code any}: all)
 * @param capture how each interface is opened, with the filter
 * @param backend how frames are read; null: the fastest usable here
 * @param workers capture threads per interface asked for; one where the backend cannot share an
 *     interface (AF_PACKET fanout is libpcap on Linux only)
 */
public record LiveAgentConfig(
    AgentConfig agent,
    List<String> interfaces,
    LiveCaptureOptions capture,
    CaptureBackend backend,
    int workers) {

  public LiveAgentConfig {
    interfaces = List.copyOf(interfaces);
    if (interfaces.isEmpty() || workers < 1) {
      throw new IllegalArgumentException("at least one interface and one worker");
    }
  }
}
