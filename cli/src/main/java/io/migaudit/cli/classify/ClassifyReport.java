package io.migaudit.cli.classify;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.agent.flow.FlowTableConfig;
import io.migaudit.analyzer.events.MigrationGrouper;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.rules.Evaluation;
import io.migaudit.analyzer.rules.FlowKind;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.cli.common.CaptureFiles;
import io.migaudit.cli.common.UserError;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.Verdict;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures the encryption verdict on sample captures against their expect.yaml: the agent runs with
 * a record after every packet (so the moment the verdict settles is visible) and the analyzer's
 * rule engine says which flows are migrations. No Kafka: this measures the classifier, not the
 * pipeline.
 */
final class ClassifyReport {

  /** One migration flow of one sample. */
  record Row(
      String sample,
      String flow,
      String protocol,
      String condition,
      String expected,
      VerdictTimeline timeline) {
    Verdict got() {
      return timeline.last().payload().verdict();
    }

    boolean correct() {
      return expected.equals(got().wire());
    }

    /** The stream conditions the flow was judged under (see {@link StreamCondition}). */
    List<StreamCondition> conditions() {
      return StreamCondition.of(timeline.last());
    }
  }

  private final Policy policy;

  ClassifyReport(Policy policy) {
    this.policy = policy;
  }

  List<Row> run(Path sampleDir) throws IOException, UserError {
    SampleExpectation expected = SampleExpectation.read(sampleDir);
    Map<String, List<FlowRecord>> byFlow = new LinkedHashMap<>();
    AgentConfig perPacket =
        AgentConfig.defaults("classify-report")
            .withFlowTable(
                new FlowTableConfig(
                    FlowTableConfig.defaults().maxFlows(),
                    Duration.ofNanos(1000),
                    FlowTableConfig.defaults().idleTimeout(),
                    FlowTableConfig.defaults().closedLinger()))
            .withCatalog(policy.catalog());
    new FileAgent(
            perPacket,
            r -> byFlow.computeIfAbsent(r.flowId(), k -> new ArrayList<>()).add(r),
            new PipelineCounters())
        .read(CaptureFiles.expand(List.of(sampleDir)));
    RuleEngine engine = new RuleEngine(policy);
    List<FlowRecord> migrations = new ArrayList<>();
    Map<String, List<FlowRecord>> recordsOf = new LinkedHashMap<>();
    MigrationGrouper grouper = new MigrationGrouper();
    List<List<FlowRecord>> others = new ArrayList<>();
    for (List<FlowRecord> records : byFlow.values()) {
      Evaluation e = engine.evaluate(records.get(records.size() - 1));
      if (e.migration()) {
        migrations.add(e.record());
        recordsOf.put(e.record().flowId(), records);
        grouper.add(e.record());
      } else if (e.flow().kind() == FlowKind.OTHER) {
        others.add(records);
      }
    }
    // a connection to the listener of a QEMU migration between the same hosts is another channel
    // of it, as the analyzer judges it once the grace period is over
    for (List<FlowRecord> records : others) {
      FlowRecord last = records.get(records.size() - 1);
      String family = "tcp".equals(last.transport()) ? grouper.companionFamily(last) : null;
      if (family != null) {
        migrations.add(last.withProtocol(family));
        recordsOf.put(last.flowId(), records);
      }
    }
    List<Row> rows = new ArrayList<>();
    Map<String, Map<String, Integer>> remaining = new HashMap<>();
    // expect.yaml gives counts per (protocol, verdict): flows whose verdict is still expected take
    // it
    // first, the others take what is left over, so a wrong verdict shows as a wrong one.
    List<FlowRecord> unmatched = new ArrayList<>();
    for (FlowRecord r : migrations) {
      Map<String, Integer> left = remaining.computeIfAbsent(r.protocol(), expected::verdictsOf);
      String got = r.payload().verdict().wire();
      if (left.getOrDefault(got, 0) > 0) {
        left.merge(got, -1, Integer::sum);
        rows.add(row(expected, r, got, recordsOf, policy));
      } else {
        unmatched.add(r);
      }
    }
    for (FlowRecord r : unmatched) {
      Map<String, Integer> left = remaining.get(r.protocol());
      String truth =
          left.entrySet().stream()
              .filter(en -> en.getValue() > 0)
              .map(Map.Entry::getKey)
              .findFirst()
              .orElse("none expected");
      left.computeIfPresent(truth, (k, n) -> n - 1);
      rows.add(row(expected, r, truth, recordsOf, policy));
    }
    return rows;
  }

  private static Row row(
      SampleExpectation expected,
      FlowRecord r,
      String truth,
      Map<String, List<FlowRecord>> recordsOf,
      Policy policy) {
    return new Row(
        expected.name(),
        r.src() + ":" + r.srcPort() + " -> " + r.dst() + ":" + r.dstPort(),
        r.protocol(),
        FlowCondition.of(r, policy),
        truth,
        VerdictTimeline.of(recordsOf.get(r.flowId())));
  }
}
