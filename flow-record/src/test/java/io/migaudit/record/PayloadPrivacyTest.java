package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The schema itself cannot carry payload bytes: no component of a record type holds raw bytes. That
 * the string fields of real records hold no payload is {@code SamplesTest} (cli), over every
 * sample's capture.
 */
class PayloadPrivacyTest {

  private static final Set<Class<?>> RAW_BYTES =
      Set.of(byte[].class, ByteBuffer.class, char[].class);

  @Test
  void noRecordComponentCanHoldBytes() {
    for (Class<?> type :
        new Class<?>[] {
          FlowRecord.class,
          Alert.class,
          PayloadFeatures.class,
          Counters.class,
          KerberosActivity.class,
          KerberosRequest.class,
          HopLimits.class,
          HopLimits.Range.class,
          Handshake.class,
          TlsHandshake.class,
          TlsCertificate.class,
          SshHandshake.class,
          SshKexinit.class,
          EspProtection.class,
          IkeProposals.class
        }) {
      for (RecordComponent c : type.getRecordComponents()) {
        assertThat(RAW_BYTES)
            .as(type.getSimpleName() + "." + c.getName())
            .doesNotContain(c.getType());
      }
    }
  }
}
