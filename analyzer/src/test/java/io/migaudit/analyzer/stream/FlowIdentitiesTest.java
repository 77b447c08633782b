package io.migaudit.analyzer.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.rules.Flows;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.StreamEvidence;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** One identity per flow whatever agent reported it, and two flows stay two. */
class FlowIdentitiesTest {
  private static final long NOW = 1_000_000L;
  private static final Duration SKEW = Duration.ofSeconds(10);

  private final KeyValueStore<String, byte[]> store = store();
  private final FlowIdentities identities = new FlowIdentities(store, 3_600_000L);

  private static KeyValueStore<String, byte[]> store() {
    KeyValueStore<String, byte[]> s =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(FlowIdentities.NAME),
                Serdes.String(),
                Serdes.ByteArray())
            .withLoggingDisabled()
            .build();
    s.init(new MockProcessorContext<>().getStateStoreContext(), s);
    return s;
  }

  /**
   * The migration flow of the samples' hosts as {@code agent} reports it, first seen at {@code t}.
   */
  private static FlowRecord flow(String agent, Instant t) {
    FlowRecord r = Flows.flow("192.168.50.11", "192.168.50.12", 8000).agent(agent).build();
    String id = FlowId.of(r.transport(), r.src(), r.srcPort(), r.dst(), r.dstPort(), r.vlan(), t);
    return r.withIdentity(id, t, t.plusSeconds(1));
  }

  @Test
  void anotherAgentsRecordOfTheFlowTakesTheFirstAgentsIdentity() {
    FlowRecord near = flow("esx-a", Flows.T0);
    FlowRecord far = flow("esx-b", Flows.T0.minus(SKEW));
    assertThat(identities.canonical(near, NOW)).isSameAs(near);
    FlowRecord taken = identities.canonical(far, NOW);
    assertThat(taken.flowId()).isEqualTo(near.flowId());
    assertThat(taken.firstSeen()).isEqualTo(near.firstSeen());
  }

  @Test
  void oneAgentsTwoFlowsOnTheSamePortsStayTwoAtTheOtherEnd() {
    // the flow a forged RST ended, and the one that went on 5 us later, as both ends report them
    FlowRecord ended = flow("esx-a", Flows.T0);
    FlowRecord goesOn = flow("esx-a", Flows.T0.plusNanos(5_000));
    FlowRecord farEnded = flow("esx-b", Flows.T0.minus(SKEW));
    FlowRecord farGoesOn = flow("esx-b", Flows.T0.minus(SKEW).plusNanos(5_000));
    identities.canonical(ended, NOW);
    assertThat(identities.canonical(goesOn, NOW)).as("one agent's own ids stand").isSameAs(goesOn);
    assertThat(identities.canonical(farEnded, NOW).flowId()).isEqualTo(ended.flowId());
    assertThat(identities.canonical(farGoesOn, NOW).flowId())
        .as("not the ended flow, which already stands for the far end's first")
        .isEqualTo(goesOn.flowId());
    assertThat(identities.canonical(farGoesOn, NOW + 1).flowId())
        .as("its later records too")
        .isEqualTo(goesOn.flowId());
    assertThat(identities.canonical(farEnded, NOW + 1).flowId()).isEqualTo(ended.flowId());
  }

  @Test
  void theConnectionAnotherAgentsFlowGoesOnIsNamedAsTheFirstAgentNamedIt() {
    FlowRecord ended = flow("esx-a", Flows.T0);
    FlowRecord goesOn = continuing(flow("esx-a", Flows.T0.plusNanos(5_000)), ended);
    FlowRecord farEnded = flow("esx-b", Flows.T0.minus(SKEW));
    FlowRecord farGoesOn =
        continuing(flow("esx-b", Flows.T0.minus(SKEW).plusNanos(5_000)), farEnded);
    identities.canonical(ended, NOW);
    assertThat(identities.canonical(goesOn, NOW))
        .as("its own agent's names stand")
        .isSameAs(goesOn);
    identities.canonical(farEnded, NOW);
    FlowRecord taken = identities.canonical(farGoesOn, NOW);
    assertThat(taken.flowId()).isEqualTo(goesOn.flowId());
    assertThat(taken.stream().continues())
        .as("the far end's first flow is the near end's")
        .isEqualTo(ended.flowId());
  }

  private static FlowRecord continuing(FlowRecord r, FlowRecord first) {
    return r.withStream(new StreamEvidence(false, 0, 0, 0, 0).continuing(first.flowId()));
  }

  @Test
  void aStoreWrittenBeforeTheAliasesIsStillRead() {
    FlowRecord near = flow("esx-a", Flows.T0);
    long first = near.firstSeen().getEpochSecond() * 1_000_000L + near.firstSeen().getNano() / 1000;
    String key =
        near.transport()
            + '|'
            + near.src()
            + '|'
            + near.srcPort()
            + '|'
            + near.dst()
            + '|'
            + near.dstPort()
            + '|'
            + near.vlan();
    store.put(
        key, (first + ";" + near.flowId() + ";esx-a;" + NOW).getBytes(StandardCharsets.UTF_8));
    FlowRecord far = flow("esx-b", Flows.T0.minus(SKEW));
    assertThat(identities.canonical(far, NOW).flowId()).isEqualTo(near.flowId());
  }
}
