package io.migaudit.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.migaudit.agent.kerberos.KerberosInspector;
import io.migaudit.record.KerberosActivity;
import io.migaudit.record.KerberosRequest;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing (Jazzer) of the Kerberos inspector: any bytes, cut into any segments,
 * over TCP or UDP, never throw, and whatever it reads stays bounded and printable. Seeds: {@code
 * src/test/resources/io/migaudit/agent/fuzz/KerberosFuzzTestInputs/} (real TGS-REQ messages). Runs
 * in the {@code fuzz} surefire execution with {@link CaptureFuzzTest}; see that class for {@code
 * JAZZER_FUZZ}.
 */
class KerberosFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void anyBytesAreInspectedWithoutEscapingException(FuzzedDataProvider data) {
    boolean tcp = data.consumeBoolean();
    KerberosInspector k = KerberosInspector.forFlow(tcp ? 6 : 17, KerberosInspector.KERBEROS_PORT);
    while (data.remainingBytes() > 0) {
      int segment = data.consumeInt(1, 2048);
      boolean cut = data.consumeProbabilityDouble() < 0.02;
      byte[] bytes = data.consumeBytes(segment);
      int offset = 14;
      ByteBuffer frame = ByteBuffer.allocate(offset + bytes.length);
      frame.put(offset, bytes);
      k.add(frame, offset, bytes.length, cut ? bytes.length + 1 : bytes.length);
    }
    KerberosActivity a = k.activity();
    if (a != null) {
      assertThat(a.requests()).isNotEmpty().hasSizeLessThanOrEqualTo(KerberosActivity.MAX_REQUESTS);
      for (KerberosRequest r : a.requests()) {
        assertThat(r.type()).isEqualTo(KerberosRequest.TGS_REQ);
        assertThat(r.service())
            .hasSizeLessThanOrEqualTo(KerberosRequest.MAX_NAME_CHARS)
            .matches("[ -~]+");
        assertThat(r.realm())
            .hasSizeLessThanOrEqualTo(KerberosRequest.MAX_NAME_CHARS)
            .matches("[ -~]*");
      }
    }
  }
}
