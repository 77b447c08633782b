package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs every rule on each flow record and lets each (rule, flow) alert once: interim records repeat
 * a flow, so a later record raises only what an earlier one did not (say, the verdict turned
 * plaintext). The memory of raised alerts is bounded (see {@link RaisedAlerts}). Not thread-safe:
 * one engine per consumer thread ({@link #sibling}).
 */
public final class RuleEngine {
  /** Alert ids remembered by default: about 100 MB at most, reached only after that many alerts. */
  public static final int DEFAULT_REMEMBERED_ALERTS = 1_000_000;

  private final Policy policy;
  private final MigrationDetector detector;
  private final List<Rule> rules;
  private final RaisedAlerts raised;

  /** All {@link #standardRules()} with the default memory. */
  public RuleEngine(Policy policy) {
    this(policy, standardRules(), DEFAULT_REMEMBERED_ALERTS);
  }

  public RuleEngine(Policy policy, List<Rule> rules, int rememberedAlerts) {
    this(policy, List.copyOf(rules), new RaisedAlerts(rememberedAlerts));
  }

  private RuleEngine(Policy policy, List<Rule> rules, RaisedAlerts raised) {
    this.policy = policy;
    this.detector = new MigrationDetector(policy);
    this.rules = rules;
    this.raised = raised;
  }

  /**
   * An engine judging by {@code newPolicy} with the same rules and the same memory of raised
   * alerts: after a policy reload, a flow does not raise again what it raised before, and this
   * engine must no longer be used (the two share that memory).
   */
  public RuleEngine withPolicy(Policy newPolicy) {
    return new RuleEngine(newPolicy, rules, raised);
  }

  /**
   * An engine for another thread: the same policy and rules, CREDSSP_MIGRATION's memory of Kerberos
   * requests included (it is thread-safe and shared, so every thread sees the KDC flows any of them
   * judged, as one thread did), and an empty memory of raised alerts of its own.
   */
  public RuleEngine sibling() {
    return new RuleEngine(policy, rules, raised.empty());
  }

  /**
   * The rules of docs/DESIGN.md's table, in its order, then those added since (README, "Rules").
   */
  public static List<Rule> standardRules() {
    return List.of(
        new UnencryptedMigrationRule(),
        new UntrustedSourceRule(),
        new UntrustedDestinationRule(),
        new NonDedicatedSegmentRule(),
        new SharedMigrationSegmentRule(),
        new CrossZoneMigrationRule(),
        new UnencryptedNfcRule(),
        new CredSspMigrationRule(), // stateful: a new memory of Kerberos requests per engine
        new WeakMigrationCryptoRule(),
        new RoutedMigrationRule());
  }

  /**
   * Lets the correlating rules see {@code record} before the records ahead of it in a batch are
   * evaluated (see {@link Rule#preview}); evaluating it later still judges it as usual.
   */
  public void preview(FlowRecord record) {
    for (Rule rule : rules) {
      rule.preview(record, policy);
    }
  }

  /** True when {@code record} is of a live-migration flow (classification only, no rule runs). */
  public boolean migration(FlowRecord record) {
    return detector.classify(record).migration();
  }

  /** The record classified (what {@link #evaluate} starts with), to evaluate with it later. */
  public ClassifiedFlow classify(FlowRecord record) {
    return detector.classify(record);
  }

  /** Classifies the record and returns the alerts it raises for the first time. */
  public Evaluation evaluate(FlowRecord record) {
    return evaluate(record, raised, false);
  }

  /**
   * Classifies the record and returns the alerts it raises for the first time by {@code memory}.
   * With {@code defer}, rules that {@link Rule#judgesLater judge this flow later} only preview it,
   * and the evaluation says so: the caller calls {@link #judgeLater} after its grace period.
   */
  public Evaluation evaluate(FlowRecord record, AlertMemory memory, boolean defer) {
    return evaluate(record, detector.classify(record), memory, defer);
  }

  /**
   * As {@link #evaluate(FlowRecord, AlertMemory, boolean)}, with {@code flow = classify(record)}.
   */
  public Evaluation evaluate(
      FlowRecord record, ClassifiedFlow flow, AlertMemory memory, boolean defer) {
    List<Alert> fresh = new ArrayList<>();
    boolean later = false;
    for (Rule rule : rules) {
      if (defer && rule.judgesLater(flow, policy)) {
        rule.preview(record, policy);
        later = true;
        continue;
      }
      Optional<Alert> alert = rule.evaluate(flow, policy);
      if (alert.isPresent() && memory.firstTime(alert.get())) {
        fresh.add(alert.get());
      }
    }
    return new Evaluation(flow, fresh, later);
  }

  /**
   * The alerts the rules that judge {@code record} later raise now, for the first time by {@code
   * memory}.
   */
  public List<Alert> judgeLater(FlowRecord record, AlertMemory memory) {
    ClassifiedFlow flow = detector.classify(record);
    List<Alert> fresh = new ArrayList<>();
    for (Rule rule : rules) {
      if (rule.judgesLater(flow, policy)) {
        rule.evaluate(flow, policy).filter(memory::firstTime).ifPresent(fresh::add);
      }
    }
    return fresh;
  }

  /**
   * Lets these alerts be raised again, for a caller whose outputs failed before they were written.
   */
  public void forget(Collection<Alert> alerts) {
    alerts.forEach(a -> raised.forget(a.alertId()));
  }

  /**
   * Lets the rules that correlate Kerberos evidence also look it up in {@code lookup} (KDC flow
   * records by client address); engines made by {@link #withPolicy} share it.
   */
  public void shareKerberosEvidence(Function<String, List<FlowRecord>> lookup) {
    for (Rule rule : rules) {
      if (rule instanceof CredSspMigrationRule c) {
        c.evidence().share(lookup);
      }
    }
  }

  public Policy policy() {
    return policy;
  }

  /**
   * Every protocol label a migration may carry: the catalog's names, tunnels and bulk transfers.
   */
  public Set<String> protocols() {
    Set<String> names = new LinkedHashSet<>(policy.catalogProtocols());
    names.addAll(MigrationDetector.INFERRED_PROTOCOLS);
    return names;
  }
}
