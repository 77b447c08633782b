package io.migaudit.agent.kerberos;

import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.agent.SampleCaptures;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.KerberosRequest;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent on the Kerberos samples: only flows to port 88 carry requests, and only TGS requests.
 */
class KerberosSampleTest {

  static List<FlowRecord> finalRecords(String sample) throws IOException {
    return SampleCaptures.finalRecords(sample);
  }

  @Test
  void theKerberosSampleNamesTheMigrationServiceOverTcpAndCifsOverUdp() throws IOException {
    List<FlowRecord> flows = finalRecords("hyperv-kerberos");
    List<String> named =
        flows.stream()
            .filter(r -> r.kerberos() != null)
            .flatMap(
                r ->
                    r.kerberos().requests().stream()
                        .map(
                            q ->
                                r.transport()
                                    + " "
                                    + r.src()
                                    + " -> "
                                    + r.dst()
                                    + ":"
                                    + r.dstPort()
                                    + " "
                                    + q.type()
                                    + " "
                                    + q.service()
                                    + "@"
                                    + q.realm()))
            .toList();
    assertThat(named)
        .containsExactlyInAnyOrder(
            "tcp 10.10.0.21 -> 10.10.0.2:88 TGS-REQ Microsoft Virtual System Migration Service/hv-02.corp.example@CORP.EXAMPLE",
            "udp 10.10.0.21 -> 10.10.0.2:88 TGS-REQ cifs/hv-02.corp.example@CORP.EXAMPLE");
    assertThat(flows).filteredOn(r -> r.dstPort() == 88).hasSize(3); // kinit's AS-REQ names nothing
    assertThat(flows)
        .filteredOn(r -> r.dstPort() != 88)
        .allSatisfy(r -> assertThat(r.kerberos()).isNull());
  }

  @Test
  void theCredsspSampleNamesOnlyTheUnrelatedService() throws IOException {
    assertThat(finalRecords("hyperv-credssp"))
        .filteredOn(r -> r.kerberos() != null)
        .flatMap(r -> r.kerberos().requests())
        .extracting(KerberosRequest::service)
        .containsExactly("HTTP/intranet.corp.example");
  }
}
