package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SignatureTest {
  @Test
  void migrationStreamsNameTheirCatalogProtocolAndNothingElseDoes() {
    assertThat(Signature.QEMU.migrationProtocol()).isEqualTo("qemu");
    assertThat(Signature.QEMU_MULTIFD.migrationProtocol()).isEqualTo("qemu");
    assertThat(Signature.VMOTION.migrationProtocol()).isEqualTo("vmotion");
    assertThat(Signature.XEN.migrationProtocol()).isEqualTo("xen");
    assertThat(
            Arrays.stream(Signature.values())
                .filter(s -> s.migrationProtocol() != null)
                .map(Signature::migrationProtocol))
        .as("every protocol a signature names is one the built-in catalog lists")
        .allSatisfy(
            p ->
                assertThat(PortCatalog.builtIn().entries())
                    .anySatisfy(e -> assertThat(e.protocol()).isEqualTo(p)));
    assertThat(Signature.TLS.migrationProtocol()).isNull();
    assertThat(Signature.SSH.migrationProtocol()).isNull();
    assertThat(Signature.ZSTD.migrationProtocol()).isNull();
    assertThat(Signature.NONE.migrationProtocol()).isNull();
  }

  @Test
  void xenRoundTripsThroughItsWireName() {
    assertThat(Signature.XEN.wire()).isEqualTo("xen");
    assertThat(Signature.fromWire("xen")).isEqualTo(Signature.XEN);
  }
}
