package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.cli.classify.SampleExpectation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code policy suggest} over samples/, then {@code replay} with the suggested policy over the same
 * captures: no UNTRUSTED_* or NON_DEDICATED_SEGMENT alert about a flow between two hosts it
 * trusted.
 */
class PolicySuggestIT {
  private static final Set<String> JUDGED =
      Set.of("UNTRUSTED_SOURCE", "UNTRUSTED_DESTINATION", "NON_DEDICATED_SEGMENT");

  @Test
  void replayWithTheSuggestedPolicyRaisesNothingAboutWhatItAccepted(@TempDir Path dir)
      throws Exception {
    Path policyFile = dir.resolve("policy.yaml");
    SampleReportIT.Run suggest =
        SampleReportIT.run(
            "policy",
            "suggest",
            "--output",
            policyFile.toString(),
            SampleExpectation.SAMPLES.toString());
    assertThat(suggest.code()).as(suggest.err()).isZero();
    assertThat(suggest.out())
        .contains("Migration flows (")
        .contains("vmotion")
        .contains("not accepted: ")
        .contains("wrote " + policyFile);
    Policy policy = PolicyLoader.load(policyFile);
    assertThat(Files.readString(policyFile))
        .contains("# - \"192.168.50.12\"")
        .contains("NOT trusted: seen only as a destination");
    Path alerts = dir.resolve("alerts.jsonl");
    SampleReportIT.Run replay =
        SampleReportIT.run(
            "replay",
            "--policy",
            policyFile.toString(),
            "--alerts",
            alerts.toString(),
            SampleExpectation.SAMPLES.toString());
    assertThat(replay.code()).as(replay.err()).isZero();
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> judged = new ArrayList<>();
    for (String line : Files.readAllLines(alerts)) {
      JsonNode a = json.readTree(line);
      if (JUDGED.contains(a.get("rule").asText())) {
        judged.add(a);
      }
    }
    assertThat(judged).as("the hosts it listed commented out are still judged").isNotEmpty();
    assertThat(judged)
        .allSatisfy(
            a ->
                assertThat(
                        policy.isTrusted(a.get("src").asText())
                            && policy.isTrusted(a.get("dst").asText()))
                    .as(a.toString())
                    .isFalse());
  }

  @Test
  void anExistingOutputIsKeptWithoutForce(@TempDir Path dir) throws Exception {
    Path existing = dir.resolve("policy.yaml");
    Files.writeString(existing, "mine");
    SampleReportIT.Run r =
        SampleReportIT.run(
            "policy",
            "suggest",
            "--output",
            existing.toString(),
            SampleExpectation.SAMPLES.resolve("vmotion-plaintext").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("exists; pass --force");
    assertThat(Files.readString(existing)).isEqualTo("mine");
  }
}
