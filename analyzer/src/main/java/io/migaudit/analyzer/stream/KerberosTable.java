package io.migaudit.analyzer.stream;

import io.migaudit.record.FlowRecord;
import io.migaudit.record.RecordJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Kerberos evidence every instance sees: the global table of {@code migaudit.kerberos}, whose
 * records are the flow records of flows to a KDC under the key {@code "client|flowId"}. The
 * analyzer instance that judges a KDC flow's record writes it there, in its transaction; each
 * instance loads the whole topic (again after its local state was wiped) and looks evidence up by
 * client address. It outlives restarts, and no copy per partition is needed.
 */
final class KerberosTable {
  static final String NAME = "kerberos-evidence";
  static final String SOURCE = "kerberos-source";
  static final String LOADER = "kerberos-loader";
  private static final char SEPARATOR = '|';

  private KerberosTable() {}

  /**
   * The key of a KDC flow's record: its client first, so one client's records are a prefix range.
   */
  static byte[] key(FlowRecord kdcFlow) {
    return (kdcFlow.src() + SEPARATOR + kdcFlow.flowId()).getBytes(StandardCharsets.UTF_8);
  }

  /** The KDC flow records of {@code client} in {@code table}; unreadable ones are left out. */
  static List<FlowRecord> of(KeyValueStore<String, byte[]> table, String client) {
    List<FlowRecord> out = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> range =
        table.prefixScan(client + SEPARATOR, new StringSerializer())) {
      while (range.hasNext()) {
        KeyValue<String, byte[]> e = range.next();
        try {
          out.add(RecordJson.flowRecord(e.value));
        } catch (RecordJson.MalformedRecordException ignored) {
          // written by an analyzer from a checked record: only a foreign writer's could fail
        }
      }
    }
    return out;
  }

  /** Keeps the global store equal to the topic (a tombstone deletes). */
  static final class Loader implements Processor<String, byte[], Void, Void> {
    private KeyValueStore<String, byte[]> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(NAME);
    }

    @Override
    public void process(Record<String, byte[]> record) {
      if (record.key() == null) {
        return;
      }
      if (record.value() == null) {
        store.delete(record.key());
      } else {
        store.put(record.key(), record.value());
      }
    }
  }
}
