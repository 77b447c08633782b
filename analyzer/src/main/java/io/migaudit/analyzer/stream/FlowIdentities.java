package io.migaudit.analyzer.stream;

import io.migaudit.record.FlowRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One identity per flow whatever agent reported it. Agents at both ends of a migration see the same
 * connection (same canonical 5-tuple and VLAN; records of one source host share a partition) but
 * their clocks differ, so their flow ids, which hash the first packet's time to the microsecond,
 * differ too. This store, keyed by 5-tuple and VLAN, keeps the first packet's time and id of each
 * flow seen and the agent that reported it first: a record from another agent whose first packet
 * lies within {@link #MAX_CLOCK_SKEW} of a known flow's is that flow, and takes its id and its
 * clock (both times shifted by the difference), so its alerts and its migration event are the first
 * agent's. One agent's own clock is consistent, so its flow ids are taken as they are (a tuple it
 * reuses is a new connection), and so is a first packet further apart; and a known flow stands for
 * one flow of each other agent, so one agent's two flows on the same ports within the skew are two
 * flows at the other end too. Entries are forgotten {@code retention} after their flow's latest
 * record.
 */
final class FlowIdentities {
  static final String NAME = "flow-identities";

  /** Agents' clocks may differ this much (NTP keeps them far closer; a VM host may not run it). */
  static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);

  private static final int MAX_PER_TUPLE = 16;

  /** Other agents' flows a known flow stood for, at most this many. */
  private static final int MAX_ALIASES = 8;

  /**
   * A flow as its first agent reported it; {@code aliases} the other agents' flow ids taken as it
   * ({@code agent=flowId}, comma-separated).
   */
  private record Known(
      long firstMicros, String flowId, String agent, long touched, String aliases) {
    /** The flow id {@code agent}'s flow that was taken as this one had, or null. */
    String aliasOf(String agent) {
      for (String a : aliases.isEmpty() ? new String[0] : aliases.split(",")) {
        int eq = a.indexOf('=');
        if (a.substring(0, eq).equals(agent)) {
          return a.substring(eq + 1);
        }
      }
      return null;
    }

    Known withAlias(String agent, String flowId) {
      List<String> all =
          new ArrayList<>(aliases.isEmpty() ? List.of() : List.of(aliases.split(",")));
      all.add(agent + "=" + flowId);
      while (all.size() > MAX_ALIASES) {
        all.remove(0);
      }
      return new Known(firstMicros, this.flowId, this.agent, touched, String.join(",", all));
    }

    Known touchedAt(long nowMillis) {
      return new Known(firstMicros, flowId, agent, nowMillis, aliases);
    }
  }

  private final KeyValueStore<String, byte[]> store;
  private final long retentionMillis;

  FlowIdentities(KeyValueStore<String, byte[]> store, long retentionMillis) {
    this.store = store;
    this.retentionMillis = retentionMillis;
  }

  /**
   * {@code r} under the identity and clock of the flow it is, learning it when it is new; the
   * connection it goes on ({@code stream.continues}), another agent's first flow, under that flow's
   * identity too, so that both agents' records raise the connection's alerts once.
   */
  FlowRecord canonical(FlowRecord r, long nowMillis) {
    FlowRecord c = identified(r, nowMillis);
    String continues = c.stream() == null ? null : c.stream().continues();
    if (continues == null) {
      return c;
    }
    String agent = plain(r.agent());
    for (Known k : decode(store.get(key(r)))) {
      if (!k.agent().equals(agent) && continues.equals(k.aliasOf(agent))) {
        return c.withStream(c.stream().continuing(k.flowId()));
      }
    }
    return c;
  }

  private static String key(FlowRecord r) {
    return r.transport()
        + '|'
        + r.src()
        + '|'
        + r.srcPort()
        + '|'
        + r.dst()
        + '|'
        + r.dstPort()
        + '|'
        + r.vlan();
  }

  private FlowRecord identified(FlowRecord r, long nowMillis) {
    String key = key(r);
    List<Known> known = decode(store.get(key));
    long first = micros(r.firstSeen());
    String agent = plain(r.agent());
    String flowId = plain(r.flowId());
    for (int i = 0; i < known.size(); i++) {
      Known k = known.get(i);
      boolean own = k.flowId().equals(flowId);
      if (!own
          && (k.agent().equals(agent)
              || Math.abs(k.firstMicros() - first) > MAX_CLOCK_SKEW.toNanos() / 1000)) {
        continue;
      }
      // another agent's flow is this one unless that agent already had another flow taken as it
      // (one agent's two connections on the same ports within the skew, such as the flow a forged
      // RST ended and the one that went on, are two flows at the other end too)
      String alias = own ? null : k.aliasOf(agent);
      if (alias != null && !alias.equals(flowId)) {
        continue;
      }
      Known updated = !own && alias == null ? k.withAlias(agent, flowId) : k;
      if (nowMillis - k.touched() >= RaisedAlertStore.REFRESH_MILLIS) {
        updated = updated.touchedAt(nowMillis);
      }
      if (updated != k) {
        known.set(i, updated);
        store.put(key, encode(known));
      }
      return own && k.firstMicros() == first ? r : shifted(r, k, first);
    }
    known.removeIf(k -> k.touched() < nowMillis - retentionMillis);
    known.add(new Known(first, flowId, agent, nowMillis, ""));
    while (known.size() > MAX_PER_TUPLE) {
      known.remove(0);
    }
    store.put(key, encode(known));
    return r;
  }

  /** Forgets flows whose latest record is older than the retention. */
  void expire(long nowMillis) {
    List<KeyValue<String, byte[]>> changed = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> e = all.next();
        List<Known> known = decode(e.value);
        if (known.removeIf(k -> k.touched() < nowMillis - retentionMillis)) {
          changed.add(KeyValue.pair(e.key, known.isEmpty() ? null : encode(known)));
        }
      }
    }
    changed.forEach(
        e -> {
          if (e.value == null) {
            store.delete(e.key);
          } else {
            store.put(e.key, e.value);
          }
        });
  }

  private static FlowRecord shifted(FlowRecord r, Known k, long firstMicros) {
    long delta = k.firstMicros() - firstMicros;
    Instant first = r.firstSeen().plus(delta, ChronoUnit.MICROS);
    Instant last = r.lastSeen().plus(delta, ChronoUnit.MICROS);
    return r.withIdentity(k.flowId(), first, last);
  }

  /** {@code text} without the separators of the store's encoding. */
  private static String plain(String text) {
    return text == null
        ? ""
        : text.replace(';', '_').replace('\n', '_').replace(',', '_').replace('=', '_');
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  private static List<Known> decode(byte[] value) {
    List<Known> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    for (String line : new String(value, StandardCharsets.UTF_8).split("\n")) {
      String[] f = line.split(";", -1);
      // a fifth field, the aliases, since they were added; a store written before has four
      out.add(
          new Known(
              Long.parseLong(f[0]), f[1], f[2], Long.parseLong(f[3]), f.length > 4 ? f[4] : ""));
    }
    return out;
  }

  private static byte[] encode(List<Known> known) {
    StringBuilder b = new StringBuilder();
    for (Known k : known) {
      b.append(b.length() == 0 ? "" : "\n")
          .append(k.firstMicros())
          .append(';')
          .append(k.flowId())
          .append(';')
          .append(k.agent())
          .append(';')
          .append(k.touched())
          .append(';')
          .append(k.aliases());
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }
}
