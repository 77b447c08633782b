package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.auth.KerberosEvidence;
import io.migaudit.analyzer.auth.MigrationAuthentication;
import io.migaudit.analyzer.policy.HypervPolicy;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import io.migaudit.record.Severity;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code CREDSSP_MIGRATION} (warning): a Hyper-V migration (TCP 6600, or SMB 445) that no Kerberos
 * service-ticket request for the destination's "Microsoft Virtual System Migration Service" (or,
 * for SMB, "cifs") preceded, while the policy says the agents watch Kerberos ({@code
 * hyperv.kerberosAudit: true}) and a flow from the source host to a KDC shows they see its Kerberos
 * traffic. Such a migration was authenticated with CredSSP, which hands the administrator's
 * credentials to the source host. See {@link KerberosEvidence} for the matching.
 *
 * <p>The one stateful rule: it sees every record, remembers the Kerberos requests of flows to port
 * 88, and judges a migration at its <em>final</em> record. Records reach the analyzer in Kafka
 * order, which is not time order: the KDC flow and the migration may sit in different partitions (a
 * host usually asks its KDC from its management address and migrates from another), and the agent
 * writes a short UDP exchange's record up to one active timeout after it. Two things make the
 * request's record arrive first: the migration is judged at its end (seconds to minutes after the
 * request), and the consumer previews every record of a batch before evaluating any ({@link
 * RuleEngine#preview}), so a replay, where everything arrives at once, is judged as in time order.
 * A request whose record arrives in a later batch than the migration's final record is not seen: a
 * false warning rather than a missed CredSSP.
 */
public final class CredSspMigrationRule implements Rule {
  /** Port-catalog labels of Hyper-V live migration: TCP 6600 and SMB 445. */
  static final Set<String> HYPERV_PROTOCOLS = Set.of("hyperv", KerberosEvidence.SMB_PROTOCOL);

  private final KerberosEvidence evidence;

  public CredSspMigrationRule() {
    this(new KerberosEvidence());
  }

  public CredSspMigrationRule(KerberosEvidence evidence) {
    this.evidence = evidence;
  }

  /** The rule's memory of Kerberos requests (to give it a shared lookup). */
  public KerberosEvidence evidence() {
    return evidence;
  }

  @Override
  public RuleId id() {
    return RuleId.CREDSSP_MIGRATION;
  }

  @Override
  public void preview(FlowRecord record, Policy policy) {
    evidence.observe(record, policy.hyperv());
  }

  /**
   * A final record of a Hyper-V migration while Kerberos is audited: judged after the grace period.
   */
  @Override
  public boolean judgesLater(ClassifiedFlow flow, Policy policy) {
    return policy.hyperv().kerberosAudit()
        && flow.migration()
        && flow.record().last()
        && HYPERV_PROTOCOLS.contains(flow.protocol());
  }

  @Override
  public Optional<Alert> evaluate(ClassifiedFlow flow, Policy policy) {
    FlowRecord r = flow.record();
    HypervPolicy hyperv = policy.hyperv();
    evidence.observe(r, hyperv);
    if (!hyperv.kerberosAudit()
        || !flow.migration()
        || !r.last()
        || !HYPERV_PROTOCOLS.contains(flow.protocol())) {
      return Optional.empty();
    }
    MigrationAuthentication auth = evidence.judge(r, hyperv);
    if (!auth.watched() || auth.kerberos()) {
      return Optional.empty(); // no sign the agents see the source's KDC traffic, or Kerberos
    }
    String service =
        KerberosEvidence.SMB_PROTOCOL.equals(flow.protocol())
            ? "\"" + KerberosEvidence.MIGRATION_SERVICE + "\" or \"cifs\""
            : "\"" + KerberosEvidence.MIGRATION_SERVICE + "\"";
    String hint =
        auth.unmappedServices().isEmpty()
            ? ""
            : "; tickets for hosts the policy does not map were asked for ("
                + String.join(", ", auth.unmappedServices())
                + "): list them under hyperv.hosts";
    String message =
        "Hyper-V migration "
            + AlertFactory.path(r)
            + " without a Kerberos ticket request for "
            + service
            + " of the destination in the "
            + lifetime(hyperv)
            + " before it, though the source"
            + " talked to a KDC: CredSSP-style authentication"
            + hint;
    Map<String, Object> ev =
        AlertFactory.evidence(
            "authentication", "credssp",
            "kdcFlowsFromSource", auth.kdcFlowsFromSource(),
            "kerberosRequestsFromSource", auth.requestsFromSource(),
            "sourceAddresses", auth.sourceAddresses(),
            "unmappedServices", auth.unmappedServices().isEmpty() ? null : auth.unmappedServices(),
            "ticketLifetime", hyperv.ticketLifetime().toString());
    return Optional.of(AlertFactory.create(id(), Severity.WARNING, r, policy, ev, message));
  }

  /** "10h", "90m" or "45s". */
  static String lifetime(HypervPolicy hyperv) {
    long s = hyperv.ticketLifetime().toSeconds();
    return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
  }
}
