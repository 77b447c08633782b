package io.migaudit.analyzer.stream;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Final records of Hyper-V migrations waiting out the grace period before CREDSSP_MIGRATION is
 * judged, in a changelogged store (they survive a restart or a move of their partition): key flow
 * id, value {@code "dueMillis;eventId;"} followed by the record's JSON. A record of the same flow
 * replaces the one waiting.
 */
final class PendingJudgements {
  static final String NAME = "pending-judgements";
  private static final byte SEPARATOR = ';';

  /** A record whose grace period is over. */
  record Due(String flowId, String eventId, FlowRecord record) {}

  private final KeyValueStore<String, byte[]> store;
  private final AtomicLong waiting;

  /** {@code waiting} counts the records waiting in every task of this instance. */
  PendingJudgements(KeyValueStore<String, byte[]> store, AtomicLong waiting) {
    this.store = store;
    this.waiting = waiting;
  }

  /** How many wait in this store (after a restore, say). */
  long size() {
    return store.approximateNumEntries();
  }

  void put(FlowRecord record, String eventId, long dueMillis) {
    byte[] head =
        (dueMillis + ";" + (eventId == null ? "" : eventId) + ";").getBytes(StandardCharsets.UTF_8);
    byte[] json = RecordJson.toBytes(record);
    byte[] value = Arrays.copyOf(head, head.length + json.length);
    System.arraycopy(json, 0, value, head.length, json.length);
    if (store.get(record.flowId()) == null) {
      waiting.incrementAndGet();
    }
    store.put(record.flowId(), value);
  }

  /** Removes and returns the records due at {@code nowMillis}; an unreadable one is dropped. */
  List<Due> takeDue(long nowMillis) {
    List<Due> due = new ArrayList<>();
    List<String> done = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> e = all.next();
        int first = indexOf(e.value, 0);
        int second = indexOf(e.value, first + 1);
        long dueAt = Long.parseLong(new String(e.value, 0, first, StandardCharsets.UTF_8));
        if (dueAt > nowMillis) {
          continue;
        }
        done.add(e.key);
        String eventId = new String(e.value, first + 1, second - first - 1, StandardCharsets.UTF_8);
        try {
          FlowRecord r =
              RecordJson.flowRecord(Arrays.copyOfRange(e.value, second + 1, e.value.length));
          due.add(new Due(e.key, eventId.isEmpty() ? null : eventId, r));
        } catch (RecordJson.MalformedRecordException ex) {
          // written by this analyzer from a checked record: only another version's could fail
        }
      }
    }
    done.forEach(store::delete);
    waiting.addAndGet(-done.size());
    return due;
  }

  private static int indexOf(byte[] value, int from) {
    for (int i = from; i < value.length; i++) {
      if (value[i] == SEPARATOR) {
        return i;
      }
    }
    throw new IllegalStateException("corrupt pending judgement");
  }
}
