package io.migaudit.analyzer.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migaudit.analyzer.alert.OcsfFinding;
import io.migaudit.analyzer.auth.KerberosEvidenceTest;
import io.migaudit.analyzer.consume.FlowIntake;
import io.migaudit.analyzer.events.MigrationGrouper;
import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyException;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.Evaluation;
import io.migaudit.analyzer.rules.Flows;
import io.migaudit.analyzer.rules.RuleEngine;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Coverage-guided fuzzing (Jazzer) of what a value on {@code migaudit.flows} reaches in the
 * analyzer: the record reader, the field checks, every rule under the sample policy, the alert and
 * OCSF writers and the migration events; and, as the analyzers' Kerberos table hands it out, a
 * Hyper-V migration's Kerberos evidence. Anyone who can write to the topic controls these bytes. A
 * value is either skipped with a named outcome or judged; the reader never fails with anything but
 * its own "malformed" error (the analyzer would count that as {@code error}, a parser bug), judging
 * never throws (the analyzer would skip the record unjudged), a record judged reads back the same
 * from the JSON it is written as, and so does each alert, as JSON. Seeds: {@code
 * src/test/resources/io/migaudit/analyzer/fuzz/FlowRecordFuzzTestInputs/} (records of the samples,
 * {@code tools/fuzz/seeds.sh}). Runs in its own surefire execution; with {@code JAZZER_FUZZ} set
 * (the build's default) it fuzzes for {@code maxDuration}, otherwise it replays the seeds and any
 * crash files found earlier.
 */
class FlowRecordFuzzTest {
  private static final Policy POLICY = samplePolicy();
  private static final FlowRecord HYPERV_MIGRATION =
      KerberosEvidenceTest.migration("10.66.0.21", "10.66.0.22", 6600, "hyperv", Flows.T0);
  private static final OcsfFinding OCSF = new OcsfFinding("fuzz");

  /** One for the run: it logs each kind of skipped record once. */
  private static final FlowIntake INTAKE = new FlowIntake();

  /** Compares alerts as JSON: their evidence reads back as plain maps, lists and numbers. */
  private static final ObjectMapper TREES = new ObjectMapper();

  @FuzzTest(maxDuration = "30s")
  void anyValueIsSkippedOrJudgedWithoutEscapingException(byte[] value) throws Exception {
    FlowIntake.Read read = INTAKE.read(value, -1, "fuzz");
    assertThat(read.outcome()).isNotEqualTo(AnalyzerMetrics.OUTCOME_ERROR);
    FlowRecord record = read.record();
    if (record == null) {
      return;
    }
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(record))).isEqualTo(record);
    RuleEngine engine = new RuleEngine(POLICY);
    Set<Alert> raised = new HashSet<>();
    Evaluation e = engine.evaluate(record, raised::add, true);
    if (e.judgeLater()) {
      raised.addAll(engine.judgeLater(record, raised::add));
    }
    raised.addAll(e.alerts());
    for (Alert a : raised) {
      byte[] json = RecordJson.toBytes(a);
      assertThat(TREES.readTree(RecordJson.toBytes(RecordJson.alert(json))))
          .isEqualTo(TREES.readTree(json));
      assertThat(OCSF.detection(a)).isNotEmpty();
    }
    judgeWithEvidence(FlowIntake.checked(value));
    if (e.migration()) {
      MigrationGrouper.Update u = new MigrationGrouper().add(e.record());
      assertThat(RecordJson.migrationEvent(RecordJson.toBytes(u.event()))).isEqualTo(u.event());
    }
  }

  /**
   * A Hyper-V migration judged with {@code evidence} as the Kerberos evidence of its hosts: what a
   * record on {@code migaudit.kerberos} reaches, which only an analyzer should write to.
   */
  private static void judgeWithEvidence(FlowRecord evidence) {
    RuleEngine engine = new RuleEngine(POLICY);
    engine.shareKerberosEvidence(client -> evidence == null ? List.of() : List.of(evidence));
    Set<Alert> raised = new HashSet<>();
    assertThat(engine.evaluate(HYPERV_MIGRATION, raised::add, true).judgeLater()).isTrue();
    assertThat(engine.judgeLater(HYPERV_MIGRATION, raised::add))
        .allSatisfy(a -> assertThat(a.rule()).isNotNull());
  }

  private static Policy samplePolicy() {
    try {
      return PolicyLoader.load(Path.of("..", "samples", "policy.yaml"));
    } catch (PolicyException e) {
      throw new IllegalStateException(e);
    }
  }
}
