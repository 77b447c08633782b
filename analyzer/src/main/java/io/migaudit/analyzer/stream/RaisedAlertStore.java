package io.migaudit.analyzer.stream;

import io.migaudit.analyzer.rules.AlertMemory;
import io.migaudit.record.Alert;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The alerts raised per flow, in a changelogged store: key the flow's connection id ({@link
 * io.migaudit.record.FlowRecord#connectionId}: its own id, or that of the first flow of the
 * connection it goes on), value the wall-clock time of the flow's latest record and the rules it
 * raised ({@code "1733212800000;UNTRUSTED_SOURCE,..."}). Only flows that raised something are
 * stored. An entry is forgotten {@code retention} after the flow's latest record (bounded by time,
 * whatever the record rate); its time is refreshed at most every {@link #REFRESH_MILLIS}, so a long
 * flow's interim records do not each write to the changelog.
 */
final class RaisedAlertStore {
  static final String NAME = "raised-alerts";
  static final long REFRESH_MILLIS = 60_000;

  private final KeyValueStore<String, byte[]> store;
  private final long retentionMillis;

  RaisedAlertStore(KeyValueStore<String, byte[]> store, long retentionMillis) {
    this.store = store;
    this.retentionMillis = retentionMillis;
  }

  /** The memory of one flow, at wall-clock {@code nowMillis}; {@link Flow#save()} after judging. */
  Flow of(String flowId, long nowMillis) {
    return new Flow(flowId, nowMillis);
  }

  /** Forgets flows whose latest record is older than the retention; returns how many. */
  int expire(long nowMillis) {
    List<String> old = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> e = all.next();
        if (touched(e.value) < nowMillis - retentionMillis) {
          old.add(e.key);
        }
      }
    }
    old.forEach(store::delete);
    return old.size();
  }

  private static long touched(byte[] value) {
    String s = new String(value, StandardCharsets.UTF_8);
    int semi = s.indexOf(';');
    return Long.parseLong(semi < 0 ? s : s.substring(0, semi));
  }

  /** The raised rules of one flow, read once, written back only when they or their time changed. */
  final class Flow implements AlertMemory {
    private final String flowId;
    private final long nowMillis;
    private final Set<String> rules = new LinkedHashSet<>();
    private final long touched;
    private boolean changed;

    private Flow(String flowId, long nowMillis) {
      this.flowId = flowId;
      this.nowMillis = nowMillis;
      byte[] value = store.get(flowId);
      if (value == null) {
        touched = Long.MIN_VALUE;
        return;
      }
      String s = new String(value, StandardCharsets.UTF_8);
      int semi = s.indexOf(';');
      touched = Long.parseLong(s.substring(0, semi));
      for (String r : s.substring(semi + 1).split(",")) {
        if (!r.isEmpty()) {
          rules.add(r);
        }
      }
    }

    @Override
    public boolean firstTime(Alert alert) {
      boolean first = rules.add(alert.rule().name());
      changed |= first;
      return first;
    }

    /** Writes the flow's memory when it raised something new or its time is stale. */
    void save() {
      boolean stale = !rules.isEmpty() && nowMillis - touched >= REFRESH_MILLIS;
      if (changed || stale) {
        store.put(
            flowId, (nowMillis + ";" + String.join(",", rules)).getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
