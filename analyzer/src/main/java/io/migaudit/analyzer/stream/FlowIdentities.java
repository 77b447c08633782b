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
 * flow seen: a record whose first packet lies within {@link #MAX_CLOCK_SKEW} of a known flow's is
 * that flow, and takes its id and its clock (both times shifted by the difference), so its alerts
 * and its migration event are the first agent's. A first packet further apart is a new connection
 * reusing the tuple. Entries are forgotten {@code retention} after their flow's latest record.
 */
final class FlowIdentities {
  static final String NAME = "flow-identities";
  /** Agents' clocks may differ this much (NTP keeps them far closer; a VM host may not run it). */
  static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);
  private static final int MAX_PER_TUPLE = 16;

  private record Known(long firstMicros, String flowId, long touched) {}

  private final KeyValueStore<String, byte[]> store;
  private final long retentionMillis;

  FlowIdentities(KeyValueStore<String, byte[]> store, long retentionMillis) {
    this.store = store;
    this.retentionMillis = retentionMillis;
  }

  /** {@code r} under the identity and clock of the flow it is, learning it when it is new. */
  FlowRecord canonical(FlowRecord r, long nowMillis) {
    String key = r.transport() + '|' + r.src() + '|' + r.srcPort() + '|' + r.dst() + '|' + r.dstPort() + '|'
        + r.vlan();
    List<Known> known = decode(store.get(key));
    long first = micros(r.firstSeen());
    for (int i = 0; i < known.size(); i++) {
      Known k = known.get(i);
      if (Math.abs(k.firstMicros() - first) <= MAX_CLOCK_SKEW.toNanos() / 1000) {
        if (nowMillis - k.touched() >= RaisedAlertStore.REFRESH_MILLIS) {
          known.set(i, new Known(k.firstMicros(), k.flowId(), nowMillis));
          store.put(key, encode(known));
        }
        return k.flowId().equals(r.flowId()) && k.firstMicros() == first ? r : shifted(r, k, first);
      }
    }
    known.removeIf(k -> k.touched() < nowMillis - retentionMillis);
    known.add(new Known(first, r.flowId(), nowMillis));
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
    changed.forEach(e -> {
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
    return new FlowRecord(r.schemaVersion(), r.agent(), r.iface(), k.flowId(), r.seq(), r.last(), r.endReason(),
        first, last, r.vlan(), r.outerVlan(), r.encapsulation(), r.ipVersion(), r.transport(), r.src(), r.srcPort(),
        r.dst(), r.dstPort(), r.initiator(), r.srcToDst(), r.dstToSrc(), r.tcpFlags(), r.protocol(), r.payload(),
        r.kerberos());
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
      String[] f = line.split(";");
      out.add(new Known(Long.parseLong(f[0]), f[1], Long.parseLong(f[2])));
    }
    return out;
  }

  private static byte[] encode(List<Known> known) {
    StringBuilder b = new StringBuilder();
    for (Known k : known) {
      b.append(b.length() == 0 ? "" : "\n").append(k.firstMicros()).append(';').append(k.flowId()).append(';')
          .append(k.touched());
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }
}
