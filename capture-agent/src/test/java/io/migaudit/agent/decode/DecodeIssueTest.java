package io.migaudit.agent.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DecodeIssueTest {
  @Test
  void reasonsAreDistinctLowercaseHyphenatedTagValues() {
    assertThat(Arrays.stream(DecodeIssue.values()).map(DecodeIssue::reason))
        .allMatch(r -> r.matches("[a-z0-9]+(-[a-z0-9]+)*"))
        .doesNotHaveDuplicates();
  }

  @Test
  void reasonsFollowTheConstantNames() {
    for (DecodeIssue issue : DecodeIssue.values()) {
      assertThat(issue.reason()).isEqualTo(issue.name().toLowerCase().replace('_', '-'));
    }
  }

  @Test
  void onlyDecodedNonIpAndMacsecEncryptedFramesAreNotMalformed() {
    assertThat(Arrays.stream(DecodeIssue.values()).filter(i -> !i.malformed()))
        .containsExactlyInAnyOrder(
            DecodeIssue.NONE, DecodeIssue.NOT_IP, DecodeIssue.MACSEC_ENCRYPTED);
  }
}
