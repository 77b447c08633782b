package io.migaudit.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.agent.flow.EndReason;
import io.migaudit.agent.flow.FlowTable;
import io.migaudit.agent.flow.FlowTableConfig;
import io.migaudit.agent.metrics.AgentMetrics;
import io.migaudit.record.PortCatalog;
import org.junit.jupiter.api.Test;

class PipelineCountersTest {

  private static DecodedPacket syn(int port) {
    DecodedPacket p = new DecodedPacket();
    p.reset();
    p.timestampMicros = 1_700_000_000_000_000L + port;
    p.ipVersion = 4;
    p.srcLo = 0x0A000001L;
    p.dstLo = 0x0A000002L;
    p.ipProtocol = 6;
    p.srcPort = port;
    p.dstPort = 8000;
    p.tcpFlags = 0x02;
    p.ipLength = 40;
    return p;
  }

  /** migaudit_agent_flows_active follows the flow tables of every bound pipeline. */
  @Test
  void activeFlowsGaugeSumsTheTablesOfBoundPipelines() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AgentMetrics metrics = new AgentMetrics(registry);
    PipelineCounters a = new PipelineCounters();
    PipelineCounters b = new PipelineCounters();
    metrics.bind("eth0", a);
    metrics.bind("eth1", b);
    FlowTable ta = new FlowTable(FlowTableConfig.defaults(), PortCatalog.builtIn(), "t", "eth0", r -> { }, 1024, 512);
    FlowTable tb = new FlowTable(FlowTableConfig.defaults(), PortCatalog.builtIn(), "t", "eth1", r -> { }, 1024, 512);
    a.table(ta);
    b.table(tb);
    for (int port = 40000; port < 40003; port++) {
      ta.offer(syn(port));
    }
    tb.offer(syn(50000));
    assertThat(registry.get(AgentMetrics.FLOWS_ACTIVE).gauge().value()).isEqualTo(4.0);
    ta.flush(EndReason.END_OF_CAPTURE);
    assertThat(registry.get(AgentMetrics.FLOWS_ACTIVE).gauge().value()).isEqualTo(1.0);
  }
}
