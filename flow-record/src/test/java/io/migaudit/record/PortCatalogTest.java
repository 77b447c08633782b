package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PortCatalogTest {
  @Test
  void builtInCatalogNamesDesignPorts() {
    PortCatalog c = PortCatalog.builtIn();
    assertThat(c.protocolOf("tcp", 8000)).isEqualTo("vmotion");
    assertThat(c.protocolOf("tcp", 6600)).isEqualTo("hyperv");
    assertThat(c.protocolOf("tcp", 49152)).isEqualTo("qemu");
    assertThat(c.protocolOf("tcp", 49215)).isEqualTo("qemu");
    assertThat(c.protocolOf("tcp", 49216)).isNull();
    assertThat(c.protocolOf("udp", 8000)).isNull();
    assertThat(c.protocolOf("tcp", 902)).isNull();
  }

  @Test
  void addedEntriesWin() {
    PortCatalog c = PortCatalog.builtIn().with(List.of(PortCatalog.Entry.tcp("custom", 8000)));
    assertThat(c.protocolOf("tcp", 8000)).isEqualTo("custom");
  }

  @Test
  void badRangeIsRejected() {
    assertThatThrownBy(() -> new PortCatalog.Entry("x", "tcp", 10, 5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
