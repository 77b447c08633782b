package io.migaudit.analyzer.auth;

import io.migaudit.analyzer.policy.HypervPolicy;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.KerberosRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Remembers, per client address, its flows to a KDC (TCP/UDP 88) and the Kerberos service tickets
 * they requested (TGS-REQ, from the agents' flow records), and tells whether a Hyper-V migration
 * was preceded by a request from its source for its destination's migration service.
 *
 * <p>A migration is judged only when the agents demonstrably see its source's Kerberos traffic: at
 * least one flow from the source host to port 88 in the window below (any request, even a TGT's
 * AS-REQ or a ticket for another service). Without one the analyzer cannot tell CredSSP from a KDC
 * path no agent captures, and {@link MigrationAuthentication#watched()} is false.
 *
 * <p>Matching is conservative: it never calls a migration Kerberos-authenticated without a request
 * that names the destination. Only flows to KDCs the policy names count ({@code hyperv.kdcs}, any
 * KDC when it names none), and a request counts only from a flow in which the KDC sent a
 * ticket-granting reply (TGS-REP, msg-type 13): one spoofed UDP request cannot silence the rule. A
 * request counts when
 *
 * <ul>
 *   <li>it came from the migration's source address, or from another address the policy's {@code
 *       hyperv.hosts} gives the same host (hosts ask the KDC from their management address and
 *       migrate on another);
 *   <li>its time (the Kerberos flow's first packet) lies in [migration start - ticket lifetime,
 *       migration start + {@link #CLOCK_SKEW}] (agents' clocks differ a little);
 *   <li>its service class is "Microsoft Virtual System Migration Service" (any Hyper-V migration)
 *       or "cifs" (SMB migrations only: a cifs ticket alone is also what any file access asks for),
 *       case-insensitively;
 *   <li>its host name is mapped by {@code hyperv.hosts} to the migration's destination address, or
 *       is that address written literally.
 * </ul>
 *
 * A request for the migration service of a host the policy does not map is not a match (it could be
 * for any host): it is reported in {@link MigrationAuthentication#unmappedServices()} so the alert
 * says what to add to the policy.
 *
 * <p>Bounded: at most {@code maxClients} client addresses (least recently seen forgotten first),
 * {@link #MAX_REQUESTS_PER_CLIENT} requests each; requests older than the newest one of their
 * client by more than the ticket lifetime are dropped. Thread-safe: the engines of one instance's
 * stream threads share it.
 */
public final class KerberosEvidence {
  /** Tolerated lead of a request's timestamp over the migration's (agents' clock difference). */
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(5);

  public static final int DEFAULT_MAX_CLIENTS = 65_536;
  public static final int MAX_REQUESTS_PER_CLIENT = 64;
  public static final int MAX_REPORTED_SERVICES = 8;
  public static final String MIGRATION_SERVICE = "Microsoft Virtual System Migration Service";
  public static final String CIFS_SERVICE = "cifs";

  /** Port-catalog label of Hyper-V live migration over SMB (TCP 445). */
  public static final String SMB_PROTOCOL = "hyperv-smb";

  /** IANA "kerberos", TCP and UDP. */
  public static final int KERBEROS_PORT = 88;

  private record Seen(KerberosRequest request, Instant at) {}

  /** One client address: start times of its KDC flows and the requests they made, both bounded. */
  private static final class Client {
    final ArrayDeque<Instant> contacts = new ArrayDeque<>();
    final ArrayDeque<Seen> requests = new ArrayDeque<>();
  }

  private final Map<String, Client> byClient;
  private volatile Function<String, List<FlowRecord>> shared = client -> List.of();

  public KerberosEvidence() {
    this(DEFAULT_MAX_CLIENTS);
  }

  public KerberosEvidence(int maxClients) {
    this.byClient =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Client> eldest) {
            return size() > maxClients;
          }
        };
  }

  /**
   * Remembers a flow to a KDC and its requests (interim records repeat them: kept once); ignores
   * every other record.
   */
  public void observe(FlowRecord r, HypervPolicy policy) {
    if (!countable(r, policy)) {
      return;
    }
    synchronized (this) { // the stream threads of one instance share this memory
      remember(r, policy);
    }
  }

  private void remember(FlowRecord r, HypervPolicy policy) {
    Client c = byClient.computeIfAbsent(r.src(), k -> new Client());
    add(c, r);
    Instant oldest =
        c.contacts.stream()
            .max(Instant::compareTo)
            .orElse(r.firstSeen())
            .minus(policy.ticketLifetime());
    c.contacts.removeIf(t -> t.isBefore(oldest));
    c.requests.removeIf(s -> s.at().isBefore(oldest));
    while (c.contacts.size() > MAX_REQUESTS_PER_CLIENT) {
      c.contacts.removeFirst();
    }
    while (c.requests.size() > MAX_REQUESTS_PER_CLIENT) {
      c.requests.removeFirst();
    }
  }

  /** A flow to a KDC the policy trusts, from a known client at a known time. */
  private static boolean countable(FlowRecord r, HypervPolicy policy) {
    boolean toKdc =
        r.dstPort() == KERBEROS_PORT
            && ("tcp".equals(r.transport()) || "udp".equals(r.transport()));
    return toKdc && r.src() != null && r.firstSeen() != null && policy.trustsKdc(r.dst());
  }

  /**
   * Adds the KDC flow {@code r}'s contact and answered requests to {@code c}, each once. A flow
   * whose segments the capture cut at its snap length is no contact: its requests could not be
   * read, so it does not show that the agents see the source's Kerberos (the requests read before
   * the first cut still count).
   */
  private static void add(Client c, FlowRecord r) {
    boolean readable = r.stream() == null || r.stream().cutSegments() == 0;
    if (readable && !c.contacts.contains(r.firstSeen())) {
      c.contacts.addLast(r.firstSeen());
    }
    if (r.kerberos() != null
        && r.kerberos().replied()) { // a request alone proves nothing: it can be forged
      for (KerberosRequest q : r.kerberos().requests()) {
        Seen s = new Seen(q, r.firstSeen());
        if (!c.requests.contains(s)) {
          c.requests.addLast(s);
        }
      }
    }
  }

  /**
   * The evidence of {@code source} a judgement reads: what this memory holds, and the shared
   * records (a global table) added without forgetting anything, so that newer evidence seen first
   * (a backlog judged after a restart, records out of time order) cannot hide the requests of an
   * older migration's window: the judgement depends on the evidence, not on the order it came in.
   */
  private Client evidenceOf(String source, HypervPolicy policy) {
    Client remembered = byClient.get(source);
    Client c = new Client();
    if (remembered != null) {
      c.contacts.addAll(remembered.contacts);
      c.requests.addAll(remembered.requests);
    }
    for (FlowRecord kdcFlow : shared.apply(source)) {
      if (countable(kdcFlow, policy) && source.equals(kdcFlow.src())) {
        add(c, kdcFlow);
      }
    }
    return c;
  }

  /** How the migration {@code r} (a Hyper-V flow: its src sent the VM to dst) was authenticated. */
  public synchronized MigrationAuthentication judge(FlowRecord r, HypervPolicy policy) {
    List<String> sources = policy.addressesOfHostWith(r.src());
    Instant from = r.firstSeen().minus(policy.ticketLifetime());
    Instant to = r.firstSeen().plus(CLOCK_SKEW);
    Set<String> classes =
        SMB_PROTOCOL.equals(r.protocol())
            ? Set.of(norm(MIGRATION_SERVICE), CIFS_SERVICE)
            : Set.of(norm(MIGRATION_SERVICE));
    int flows = 0;
    int count = 0;
    String matched = null;
    List<String> unmapped = new ArrayList<>();
    for (String source : sources) {
      // what this engine saw, and what other instances and earlier runs recorded (a global table)
      Client c = evidenceOf(source, policy);
      flows += (int) c.contacts.stream().filter(t -> inside(t, from, to)).count();
      for (Seen s : c.requests) {
        if (!inside(s.at(), from, to)) {
          continue;
        }
        count++;
        KerberosRequest q = s.request();
        if (!classes.contains(norm(q.serviceClass()))) {
          continue;
        }
        String name = q.service() + "@" + q.realm();
        if (policy.hostHasAddress(q.serviceHost(), r.dst())) {
          matched = matched == null ? name : matched;
        } else if (!policy.knowsHost(q.serviceHost())
            && unmapped.size() < MAX_REPORTED_SERVICES
            && !unmapped.contains(name)) {
          unmapped.add(name);
        }
      }
    }
    return new MigrationAuthentication(
        flows > 0, matched != null, matched, flows, count, unmapped, sources);
  }

  private static boolean inside(Instant t, Instant from, Instant to) {
    return !t.isBefore(from) && !t.isAfter(to);
  }

  /**
   * Also consult {@code lookup} (the KDC flow records of a client address, e.g. from the analyzer's
   * global table of {@code migaudit.kerberos}) when judging: evidence other instances saw, and that
   * outlives a restart.
   */
  public void share(Function<String, List<FlowRecord>> lookup) {
    this.shared = lookup;
  }

  /** Client addresses remembered (for tests and bounds). */
  public synchronized int clients() {
    return byClient.size();
  }

  private static String norm(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }
}
