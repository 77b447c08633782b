package io.migaudit.analyzer.auth;

import static io.migaudit.analyzer.rules.Flows.T0;
import static io.migaudit.analyzer.rules.Flows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.migaudit.analyzer.policy.HypervPolicy;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.KerberosActivity;
import io.migaudit.record.KerberosRequest;
import io.migaudit.record.StreamEvidence;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class KerberosEvidenceTest {
  static final String VSMS = "Microsoft Virtual System Migration Service";
  static final HypervPolicy POLICY =
      new HypervPolicy(
          true,
          Duration.ofHours(10),
          Map.of(
              "hv-01.corp.example", List.of("10.66.0.21", "10.10.0.21"),
              "hv-02.corp.example", List.of("10.66.0.22", "10.10.0.22"),
              "hv-03.corp.example", List.of("10.66.0.23")));

  /**
   * A flow from {@code client} to a KDC at {@code at}, asking for these services (none: an AS-REQ).
   */
  public static FlowRecord kdcFlow(String client, Instant at, String... services) {
    FlowRecord r = flow(client, "10.10.0.2", 88).build();
    r =
        new FlowRecord(
            r.schemaVersion(),
            r.agent(),
            r.iface(),
            r.flowId() + at.getEpochSecond(),
            r.seq(),
            true,
            "fin",
            at,
            at.plusMillis(3),
            r.vlan(),
            r.outerVlan(),
            r.encapsulation(),
            r.ipVersion(),
            r.transport(),
            r.src(),
            r.srcPort(),
            r.dst(),
            r.dstPort(),
            r.initiator(),
            r.srcToDst(),
            r.dstToSrc(),
            r.tcpFlags(),
            null,
            r.payload());
    if (services.length == 0) {
      return r;
    }
    List<KerberosRequest> q =
        Arrays.stream(services)
            .map(s -> new KerberosRequest("TGS-REQ", s, "CORP.EXAMPLE"))
            .toList();
    return r.withKerberos(new KerberosActivity(q, 1)); // the KDC replied
  }

  public static FlowRecord migration(
      String src, String dst, int port, String protocol, Instant at) {
    FlowRecord r = flow(src, dst, port).protocol(protocol).last().build();
    return new FlowRecord(
        r.schemaVersion(),
        r.agent(),
        r.iface(),
        r.flowId(),
        r.seq(),
        true,
        "fin",
        at,
        at.plusSeconds(30),
        r.vlan(),
        r.outerVlan(),
        r.encapsulation(),
        r.ipVersion(),
        r.transport(),
        r.src(),
        r.srcPort(),
        r.dst(),
        r.dstPort(),
        r.initiator(),
        r.srcToDst(),
        r.dstToSrc(),
        r.tcpFlags(),
        r.protocol(),
        r.payload());
  }

  KerberosEvidence evidence = new KerberosEvidence();

  MigrationAuthentication judge6600(Instant at) {
    return evidence.judge(migration("10.66.0.21", "10.66.0.22", 6600, "hyperv", at), POLICY);
  }

  @Test
  void aRequestFromTheSourcesManagementAddressForTheDestinationMatches() {
    evidence.observe(kdcFlow("10.10.0.21", T0, VSMS + "/hv-02.corp.example"), POLICY);
    MigrationAuthentication a = judge6600(T0.plusSeconds(2));
    assertThat(a.watched()).isTrue();
    assertThat(a.kerberos()).isTrue();
    assertThat(a.matchedService()).isEqualTo(VSMS + "/hv-02.corp.example@CORP.EXAMPLE");
    assertThat(a.sourceAddresses()).containsExactly("10.66.0.21", "10.10.0.21");
  }

  @Test
  void aRequestTheKdcNeverAnsweredIsNoEvidence() {
    FlowRecord spoofed = kdcFlow("10.10.0.21", T0, VSMS + "/hv-02.corp.example");
    evidence.observe(
        spoofed.withKerberos(new KerberosActivity(spoofed.kerberos().requests(), 0)), POLICY);
    assertThat(judge6600(T0.plusSeconds(2)).kerberos()).as("no TGS-REP").isFalse();
    evidence.observe(
        spoofed.withKerberos(new KerberosActivity(spoofed.kerberos().requests())), POLICY);
    assertThat(judge6600(T0.plusSeconds(2)).kerberos()).as("an agent that does not say").isFalse();
  }

  @Test
  void onlyTheKdcsThePolicyNamesCountWhenItNamesAny() {
    HypervPolicy listed =
        new HypervPolicy(true, POLICY.ticketLifetime(), POLICY.hosts(), List.of("10.10.0.9"));
    evidence.observe(kdcFlow("10.10.0.21", T0, VSMS + "/hv-02.corp.example"), listed);
    assertThat(
            evidence
                .judge(
                    migration("10.66.0.21", "10.66.0.22", 6600, "hyperv", T0.plusSeconds(2)),
                    listed)
                .watched())
        .as("10.10.0.2 is not a KDC of the policy")
        .isFalse();
    evidence.observe(kdcFlow("10.10.0.21", T0, VSMS + "/hv-02.corp.example"), POLICY);
    assertThat(judge6600(T0.plusSeconds(2)).kerberos()).as("without a list, any KDC").isTrue();
  }

  @Test
  void serviceClassAndHostIgnoreCase() {
    evidence.observe(kdcFlow("10.66.0.21", T0, VSMS.toUpperCase() + "/HV-02.corp.example"), POLICY);
    assertThat(judge6600(T0.plusSeconds(2)).kerberos()).isTrue();
  }

  @Test
  void aRequestForAnotherHostOrServiceDoesNotMatch() {
    evidence.observe(
        kdcFlow(
            "10.10.0.21",
            T0,
            VSMS + "/hv-03.corp.example",
            "cifs/hv-02.corp.example",
            "HTTP/intranet.corp.example"),
        POLICY);
    MigrationAuthentication a = judge6600(T0.plusSeconds(2));
    assertThat(a.watched()).isTrue();
    assertThat(a.kerberos()).isFalse();
    assertThat(a.requestsFromSource()).isEqualTo(3);
    assertThat(a.unmappedServices()).isEmpty();
  }

  @Test
  void cifsCountsForSmbMigrationsOnly() {
    evidence.observe(kdcFlow("10.10.0.21", T0, "cifs/hv-02.corp.example"), POLICY);
    assertThat(
            evidence
                .judge(
                    migration("10.66.0.21", "10.66.0.22", 445, "hyperv-smb", T0.plusSeconds(1)),
                    POLICY)
                .kerberos())
        .isTrue();
    assertThat(judge6600(T0.plusSeconds(1)).kerberos()).isFalse();
  }

  @Test
  void anUnmappedHostIsNoMatchButIsReported() {
    evidence.observe(kdcFlow("10.10.0.21", T0, VSMS + "/hv-02"), POLICY);
    MigrationAuthentication a = judge6600(T0.plusSeconds(2));
    assertThat(a.kerberos()).isFalse();
    assertThat(a.unmappedServices()).containsExactly(VSMS + "/hv-02@CORP.EXAMPLE");
  }

  @Test
  void anAddressAsHostNameMatches() {
    evidence.observe(kdcFlow("10.66.0.21", T0, VSMS + "/10.66.0.22"), POLICY);
    assertThat(judge6600(T0.plusSeconds(2)).kerberos()).isTrue();
  }

  @Test
  void theRequestMustComeFromTheSourceHost() {
    evidence.observe(kdcFlow("10.10.0.22", T0, VSMS + "/hv-02.corp.example"), POLICY);
    MigrationAuthentication a = judge6600(T0.plusSeconds(2));
    assertThat(a.watched()).isFalse();
    assertThat(a.kerberos()).isFalse();
  }

  @Test
  void theWindowIsTheTicketLifetimeBeforeTheMigrationPlusClockSkew() {
    evidence.observe(kdcFlow("10.10.0.21", T0, VSMS + "/hv-02.corp.example"), POLICY);
    assertThat(judge6600(T0.plus(Duration.ofHours(10))).kerberos()).isTrue();
    assertThat(judge6600(T0.plus(Duration.ofHours(10)).plusSeconds(1)).kerberos()).isFalse();
    assertThat(judge6600(T0.plus(Duration.ofHours(10)).plusSeconds(1)).watched()).isFalse();
    assertThat(judge6600(T0.minus(KerberosEvidence.CLOCK_SKEW)).kerberos()).isTrue();
    assertThat(judge6600(T0.minus(KerberosEvidence.CLOCK_SKEW).minusSeconds(1)).kerberos())
        .as("a request after the migration began")
        .isFalse();
    HypervPolicy shortTickets = new HypervPolicy(true, Duration.ofHours(1), POLICY.hosts());
    assertThat(
            evidence
                .judge(
                    migration(
                        "10.66.0.21", "10.66.0.22", 6600, "hyperv", T0.plus(Duration.ofHours(2))),
                    shortTickets)
                .kerberos())
        .isFalse();
  }

  @Test
  void anAsRequestAloneShowsTheSourceIsWatched() {
    evidence.observe(kdcFlow("10.10.0.21", T0), POLICY);
    MigrationAuthentication a = judge6600(T0.plusSeconds(1));
    assertThat(a.watched()).isTrue();
    assertThat(a.kdcFlowsFromSource()).isEqualTo(1);
    assertThat(a.requestsFromSource()).isZero();
  }

  @Test
  void aKdcFlowTheCaptureCutShortDoesNotShowTheSourceIsWatched() {
    FlowRecord cut = kdcFlow("10.10.0.21", T0).withStream(new StreamEvidence(false, 0, 0, 0, 1));
    evidence.observe(cut, POLICY);
    MigrationAuthentication a = judge6600(T0.plusSeconds(1));
    assertThat(a.watched()).as("its requests could not be read: no CredSSP from it").isFalse();
    assertThat(a.kdcFlowsFromSource()).isZero();
  }

  @Test
  void requestsReadBeforeTheCaptureCutAFlowStillCount() {
    FlowRecord cut =
        kdcFlow("10.10.0.21", T0, VSMS + "/hv-02.corp.example")
            .withStream(new StreamEvidence(false, 0, 0, 0, 2));
    evidence.observe(cut, POLICY);
    assertThat(judge6600(T0.plusSeconds(1)).kerberos()).isTrue();
  }

  @Test
  void repeatedRecordsCountOnceAndOtherRecordsAreIgnored() {
    FlowRecord r = kdcFlow("10.10.0.21", T0, "HTTP/x");
    evidence.observe(r, POLICY);
    evidence.observe(r, POLICY);
    evidence.observe(migration("10.10.0.21", "10.66.0.22", 6600, "hyperv", T0), POLICY);
    MigrationAuthentication a = judge6600(T0.plusSeconds(1));
    assertThat(a.kdcFlowsFromSource()).isEqualTo(1);
    assertThat(a.requestsFromSource()).isEqualTo(1);
  }

  @Test
  void memoryIsBoundedPerClientAndInClients() {
    KerberosEvidence small = new KerberosEvidence(2);
    small.observe(kdcFlow("10.0.0.1", T0, "a/b"), POLICY);
    small.observe(kdcFlow("10.0.0.2", T0, "a/b"), POLICY);
    small.observe(kdcFlow("10.0.0.3", T0, "a/b"), POLICY);
    assertThat(small.clients()).isEqualTo(2);
    for (int i = 0; i < 100; i++) {
      evidence.observe(kdcFlow("10.10.0.21", T0.plusSeconds(i), "HTTP/h" + i), POLICY);
    }
    MigrationAuthentication a = judge6600(T0.plusSeconds(200));
    assertThat(a.requestsFromSource()).isEqualTo(KerberosEvidence.MAX_REQUESTS_PER_CLIENT);
    assertThat(a.kdcFlowsFromSource()).isEqualTo(KerberosEvidence.MAX_REQUESTS_PER_CLIENT);
  }

  @Test
  void requestsOlderThanTheLifetimeAreForgotten() {
    evidence.observe(kdcFlow("10.10.0.21", T0, VSMS + "/hv-02.corp.example"), POLICY);
    evidence.observe(kdcFlow("10.10.0.21", T0.plus(Duration.ofHours(11)), "HTTP/x"), POLICY);
    assertThat(judge6600(T0.plusSeconds(5)).kerberos())
        .as("forgotten, though in this window")
        .isFalse();
  }

  /**
   * A backlog judged after a restart: the global table holds a ticket request an hour before the
   * migration and a KDC flow 12 h after it, and this engine saw the newer one first. The older
   * migration is still judged on its own window (it once was forgotten, and the verdict depended on
   * the order the evidence came in).
   */
  @Test
  void sharedEvidenceNewerThanTheLifetimeDoesNotHideAnOlderMigrationsTicket() {
    FlowRecord later = kdcFlow("10.10.0.21", T0.plus(Duration.ofHours(12)), "HTTP/x");
    FlowRecord ticket =
        kdcFlow("10.10.0.21", T0.minus(Duration.ofHours(1)), VSMS + "/hv-02.corp.example");
    List<FlowRecord> table = List.of(later, ticket);
    evidence.share(client -> table.stream().filter(f -> f.src().equals(client)).toList());
    evidence.observe(later, POLICY);
    MigrationAuthentication a = judge6600(T0);
    assertThat(a.watched()).isTrue();
    assertThat(a.kerberos()).as("the ticket of its window, from the shared table").isTrue();
    assertThat(a.kdcFlowsFromSource()).as("the later flow is outside the window").isEqualTo(1);
  }
}
