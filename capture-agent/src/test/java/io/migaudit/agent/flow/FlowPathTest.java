package io.migaudit.agent.flow;

import static io.migaudit.agent.flow.Packets.ACK;
import static io.migaudit.agent.flow.Packets.PSH;
import static io.migaudit.agent.flow.Packets.SYN;
import static io.migaudit.agent.flow.Packets.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.decode.DecodedPacket;
import io.migaudit.record.FlowRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Flows keyed by their whole path: the same inner 5-tuple in another tunnel is another flow. */
class FlowPathTest {
  private final List<FlowRecord> records = new ArrayList<>();
  private final FlowTable table = CollectingTables.collecting(100, records);

  private static DecodedPacket inTunnel(DecodedPacket p, long path) {
    p.tunnelPath = path;
    return p;
  }

  @Test
  void samePacketsInAnotherTunnelOrNoneAreOtherFlows() {
    table.offer(tcp(1, 11, 41011, 12, 8000, SYN, 0));
    table.offer(inTunnel(tcp(2, 11, 41011, 12, 8000, ACK | PSH, 1000), 0x1234));
    table.offer(inTunnel(tcp(3, 11, 41011, 12, 8000, ACK | PSH, 1000), 0x5678));
    assertThat(table.size()).isEqualTo(3);
    table.offer(
        inTunnel(tcp(4, 12, 8000, 11, 41011, ACK, 0), 0x1234)); // the reply in the first tunnel
    assertThat(table.size()).isEqualTo(3);
    table.flush(EndReason.END_OF_CAPTURE);
    assertThat(records)
        .hasSize(3)
        .extracting(r -> r.srcToDst().packets() + r.dstToSrc().packets())
        .containsExactlyInAnyOrder(1L, 2L, 1L);
  }
}
