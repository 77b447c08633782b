package io.migaudit.analyzer.rules;

import io.migaudit.record.RuleId;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which audit controls each rule's alerts are evidence for (docs/PROTOCOLS.md, "What auditors check
 * against"): NIST SP 800-53, DISA STIGs for vSphere 7 and 8, and the VMware Security Configuration
 * Guide (SCG). The only place these ids are written. Control ids are written as {@code "<framework>
 * <id>"}: {@code "NIST SC-8"}, {@code "DISA ESXI-80-000160"}, {@code "VMware SCG
 * esx-9.vmk-vmotion"}.
 *
 * <p>The policy's encryption mode picks the reading of encrypted vMotion: the STIG's
 * (VMCH-80-000203, "Opportunistic or Required" pass) under {@code opportunistic}, where a readable
 * migration is a warning, and the SCG's ({@code vm-9.vmotion-encrypted}, "Required") under {@code
 * required}, where it is critical.
 */
public final class ControlCatalog {
  public static final String NIST_SC_8 = "NIST SC-8";
  public static final String NIST_SC_8_1 = "NIST SC-8(1)";
  public static final String NIST_AC_3 = "NIST AC-3";
  public static final String NIST_AC_4_21 = "NIST AC-4(21)";
  public static final String NIST_SC_7 = "NIST SC-7";
  public static final String NIST_AC_4 = "NIST AC-4";

  /** vSphere 8 VM STIG: vMotion encryption Opportunistic or Required. */
  public static final String DISA_VMCH_80_000203 = "DISA VMCH-80-000203";

  /** vSphere 7 VM STIG: vMotion encryption Opportunistic or Required. */
  public static final String DISA_VMCH_70_000024 = "DISA VMCH-70-000024";

  /** vSphere 8 ESXi STIG, V-258748: vMotion traffic isolated. */
  public static final String DISA_ESXI_80_000160 = "DISA ESXI-80-000160";

  /** vSphere 7 ESXi STIG, V-256411: vMotion traffic isolated. */
  public static final String DISA_ESXI_70_000048 = "DISA ESXI-70-000048";

  public static final String SCG_VMOTION_ENCRYPTED = "VMware SCG vm-9.vmotion-encrypted";
  public static final String SCG_VMK_VMOTION = "VMware SCG esx-9.vmk-vmotion";

  /**
   * NIST SP 800-53 IA-5, authenticator management: protect authenticators from disclosure. CredSSP
   * hands the administrator's reusable credentials to the source host to use on the destination;
   * Kerberos constrained delegation sends only a ticket for one service.
   */
  public static final String NIST_IA_5 = "NIST IA-5";

  /**
   * Microsoft's guidance for live migration outside a cluster ("Set up hosts for live migration
   * without Failover Clustering", Microsoft Learn): Kerberos with constrained delegation to the
   * services "Microsoft Virtual System Migration Service" and "cifs" of the destination, instead of
   * CredSSP. Not a numbered control: named by the page's address.
   */
  public static final String MICROSOFT_LIVE_MIGRATION_KCD =
      "Microsoft Learn set-up-hosts-for-live-migration-without-failover-clustering";

  /**
   * NIST SP 800-53 SC-13, cryptographic protection: the algorithms in use are the approved ones.
   */
  public static final String NIST_SC_13 = "NIST SC-13";

  /** NIST SP 800-53 SC-23, session authenticity: both ends of a session authenticated. */
  public static final String NIST_SC_23 = "NIST SC-23";

  /** NIST SP 800-52 Rev. 2: TLS 1.2 at least, approved suites, for government systems. */
  public static final String NIST_SP_800_52 = "NIST SP 800-52r2";

  private static final List<String> ENCRYPTION =
      List.of(
          NIST_SC_8, NIST_SC_8_1, DISA_VMCH_80_000203, DISA_VMCH_70_000024, SCG_VMOTION_ENCRYPTED);
  private static final List<String> TRUST = List.of(NIST_AC_4_21, NIST_AC_3, SCG_VMK_VMOTION);
  private static final List<String> ISOLATION =
      List.of(DISA_ESXI_80_000160, DISA_ESXI_70_000048, NIST_AC_4_21, NIST_SC_7, SCG_VMK_VMOTION);

  private static final List<String> NFC_ENCRYPTION = List.of(NIST_SC_8, NIST_SC_8_1);
  private static final List<String> AUTHENTICATION =
      List.of(MICROSOFT_LIVE_MIGRATION_KCD, NIST_IA_5);
  private static final List<String> ZONES =
      List.of(NIST_AC_4, NIST_AC_4_21, NIST_AC_3, SCG_VMK_VMOTION);

  private static final List<String> CRYPTO_STRENGTH =
      List.of(
          NIST_SC_8,
          NIST_SC_8_1,
          NIST_SC_13,
          NIST_SC_23,
          NIST_SP_800_52,
          DISA_VMCH_80_000203,
          SCG_VMOTION_ENCRYPTED);

  /** The STIG's "vMotion network must not be routable" (its check asks for an SA interview). */
  private static final List<String> NOT_ROUTABLE =
      List.of(DISA_ESXI_80_000160, DISA_ESXI_70_000048, NIST_SC_7, NIST_AC_4_21, SCG_VMK_VMOTION);

  private static final Map<RuleId, List<String>> BY_RULE = byRule();

  /** Every protocol family's migrations are evidence for the control. */
  public static final Set<String> EVERY_PROTOCOL = Set.of();

  private static final Set<String> VMOTION = Set.of("vmotion");
  private static final Set<String> HYPERV = Set.of("hyperv");

  /**
   * A control a report judges: PASS when migrations it applies to were seen and none broke it, FAIL
   * when an alert evidences it, NOT OBSERVED when no migration it applies to was seen.
   *
   * @param id as in {@link io.migaudit.record.Alert#controls()}
   * @param title what the control asks, in a few words
   * @param protocols the migration protocol families whose migrations are evidence for it; {@link
   *     #EVERY_PROTOCOL} (empty) for all of them
   */
  public record Control(String id, String title, Set<String> protocols) {
    public Control {
      protocols = Set.copyOf(protocols);
    }

    /** True when a migration of {@code protocol} is evidence for this control. */
    public boolean appliesTo(String protocol) {
      return protocols.isEmpty() || protocols.contains(protocol);
    }

    /**
     * True when the control asks for encryption: a migration is evidence for it only when its
     * verdict is known (an {@code unknown} one, such as a stream the capture cut, shows nothing).
     */
    public boolean judgesEncryption() {
      return ENCRYPTION.contains(id);
    }
  }

  private static final List<Control> CONTROLS =
      List.of(
          new Control(NIST_SC_8, "Transmission confidentiality and integrity", EVERY_PROTOCOL),
          new Control(NIST_SC_8_1, "Cryptographic protection of transmissions", EVERY_PROTOCOL),
          new Control(
              DISA_VMCH_80_000203,
              "vSphere 8 VM STIG: vMotion encryption Opportunistic or Required",
              VMOTION),
          new Control(
              DISA_VMCH_70_000024,
              "vSphere 7 VM STIG: vMotion encryption Opportunistic or Required",
              VMOTION),
          new Control(SCG_VMOTION_ENCRYPTED, "vMotion encryption Required", VMOTION),
          new Control(
              NIST_AC_4_21, "Physical or logical separation of information flows", EVERY_PROTOCOL),
          new Control(NIST_AC_3, "Access enforcement: only trusted hosts migrate", EVERY_PROTOCOL),
          new Control(
              NIST_AC_4, "Information flow enforcement between trust zones", EVERY_PROTOCOL),
          new Control(
              NIST_SC_7, "Boundary protection: migration stays on its segment", EVERY_PROTOCOL),
          new Control(
              DISA_ESXI_80_000160, "vSphere 8 ESXi STIG: vMotion traffic isolated", VMOTION),
          new Control(
              DISA_ESXI_70_000048, "vSphere 7 ESXi STIG: vMotion traffic isolated", VMOTION),
          new Control(SCG_VMK_VMOTION, "vMotion on a dedicated VMkernel network", VMOTION),
          new Control(
              MICROSOFT_LIVE_MIGRATION_KCD,
              "Microsoft: Hyper-V live migration authenticated by Kerberos (constrained delegation), not CredSSP",
              HYPERV),
          new Control(
              NIST_IA_5, "Authenticator management: no reusable credentials delegated", HYPERV),
          new Control(
              NIST_SC_13, "Cryptographic protection: approved algorithms only", EVERY_PROTOCOL),
          new Control(NIST_SC_23, "Session authenticity: both ends authenticated", EVERY_PROTOCOL),
          new Control(
              NIST_SP_800_52, "TLS 1.2 or later with approved cipher suites", EVERY_PROTOCOL));

  private ControlCatalog() {}

  private static Map<RuleId, List<String>> byRule() {
    Map<RuleId, List<String>> m = new EnumMap<>(RuleId.class);
    m.put(RuleId.UNENCRYPTED_MIGRATION, ENCRYPTION);
    m.put(RuleId.UNTRUSTED_SOURCE, TRUST);
    m.put(RuleId.UNTRUSTED_DESTINATION, TRUST);
    m.put(RuleId.NON_DEDICATED_SEGMENT, ISOLATION);
    m.put(RuleId.SHARED_MIGRATION_SEGMENT, ISOLATION);
    m.put(RuleId.CROSS_ZONE_MIGRATION, ZONES);
    m.put(RuleId.UNENCRYPTED_NFC, NFC_ENCRYPTION);
    m.put(RuleId.CREDSSP_MIGRATION, AUTHENTICATION);
    m.put(RuleId.WEAK_MIGRATION_CRYPTO, CRYPTO_STRENGTH);
    m.put(RuleId.ROUTED_MIGRATION, NOT_ROUTABLE);
    return m;
  }

  /**
   * Every control some rule evidences, in report order (encryption, separation, authentication),
   * each once.
   */
  public static List<Control> controls() {
    return CONTROLS;
  }

  /** Every control id any rule names, each once (the test holds {@link #controls()} to it). */
  static Set<String> mappedIds() {
    Set<String> ids = new LinkedHashSet<>();
    BY_RULE.values().forEach(ids::addAll);
    return ids;
  }

  /** The controls {@code rule}'s alerts evidence, in the order above; empty if none is mapped. */
  public static List<String> controlsOf(RuleId rule) {
    return BY_RULE.getOrDefault(rule, List.of());
  }
}
