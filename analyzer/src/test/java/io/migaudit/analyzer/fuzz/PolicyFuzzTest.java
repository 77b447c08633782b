package io.migaudit.analyzer.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.analyzer.policy.PolicyException;
import io.migaudit.analyzer.policy.PolicyLoader;
import io.migaudit.analyzer.rules.RuleEngine;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing (Jazzer) of the policy loader: whatever the text, it is either a policy
 * the rules can run with or a {@link PolicyException} whose message is one line that starts with
 * the file's name, and a line number wherever the text had one to give. The analyzer reloads its
 * policy while it runs, so any other exception would be a reload that kills the reloader or the
 * start of a service. Seeds: {@code
 * src/test/resources/io/migaudit/analyzer/fuzz/PolicyFuzzTestInputs/} (the sample policy and the
 * README's examples). See {@link FlowRecordFuzzTest} for {@code JAZZER_FUZZ}.
 */
class PolicyFuzzTest {
  /** What could break the error's one line in a terminal or a log. */
  private static final String LINE_BREAKING = "[\\p{Cntrl}\\u2028\\u2029]";

  @FuzzTest(maxDuration = "30s")
  void anyTextLoadsOrIsRefusedInOneLine(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    Policy policy;
    try {
      policy = PolicyLoader.parse("fuzz.yaml", text);
    } catch (PolicyException e) {
      assertThat(e.getMessage()).startsWith("fuzz.yaml").doesNotContainPattern(LINE_BREAKING);
      return;
    }
    assertThat(new RuleEngine(policy).policy()).isSameAs(policy);
  }
}
