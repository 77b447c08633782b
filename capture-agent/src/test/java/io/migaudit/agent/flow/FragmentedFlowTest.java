package io.migaudit.agent.flow;

import static io.migaudit.agent.flow.Packets.ACK;
import static io.migaudit.agent.flow.Packets.SYN;
import static io.migaudit.agent.flow.Packets.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A migration whose segments travel as IP fragments: the first fragment of each holds the TCP
 * header and no payload, the later ones carry the bytes with no ports. The connection's own flow
 * then samples nothing; the later fragments, one flow of their own between the two hosts, must be
 * judged by what they carry, or cutting a migration into fragments would hide it.
 */
class FragmentedFlowTest {
  private static final long T0 = 1_700_000_000_000_000L;
  private static final int FRAGMENT = 32;

  @Test
  void laterFragmentsAreJudgedByTheBytesTheyCarry() {
    byte[] pages = Packets.readablePages(64 << 10);
    List<FlowRecord> records = new ArrayList<>();
    FlowTable table = CollectingTables.agentDefaults(records);
    long t = T0;
    table.offer(tcp(t, 11, 41011, 12, 8000, SYN, 0));
    table.offer(tcp(t + 100, 12, 8000, 11, 41011, SYN | ACK, 0));
    table.offer(tcp(t + 200, 11, 41011, 12, 8000, ACK, 0));
    for (int at = 0; at < pages.length; at += 1448) {
      t += 10;
      table.offer(tcp(t, 11, 41011, 12, 8000, ACK, 0)); // the first fragment: header only
      for (int f = at; f < Math.min(at + 1448, pages.length); f += FRAGMENT) {
        table.offer(
            Packets.laterFragment(t, 11, 12, pages, f, Math.min(FRAGMENT, pages.length - f)));
      }
    }
    table.flush(EndReason.END_OF_CAPTURE);

    FlowRecord connection = finalOf(records, 8000);
    FlowRecord fragments = finalOf(records, 0);
    assertThat(connection.payload().sampledBytes()).isZero();
    assertThat(fragments.transport()).isEqualTo("tcp");
    assertThat(fragments.srcPort()).isZero();
    assertThat(fragments.payload().sampledBytes()).isGreaterThanOrEqualTo(16 << 10);
    assertThat(fragments.payload().verdict()).isEqualTo(Verdict.PLAINTEXT);
    assertThat(fragments.stream()).as("no stream to follow without TCP headers").isNull();
  }

  private static FlowRecord finalOf(List<FlowRecord> records, int dstPort) {
    return records.stream()
        .filter(r -> r.last() && r.dstPort() == dstPort)
        .findFirst()
        .orElseThrow();
  }
}
