package io.migaudit.analyzer.stream;

import io.migaudit.analyzer.consume.FlowIntake;
import io.migaudit.record.FlowRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
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

  /**
   * The KDC flow records of {@code client} in {@code table}. Records that do not read or fail the
   * field checks of {@code migaudit.flows} are left out: an analyzer writes only checked records,
   * so such a record comes from a foreign writer, and a request without a service in it made
   * judging the migration fail.
   */
  static List<FlowRecord> of(KeyValueStore<String, byte[]> table, String client) {
    List<FlowRecord> out = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> range =
        table.prefixScan(client + SEPARATOR, new StringSerializer())) {
      while (range.hasNext()) {
        FlowRecord r = FlowIntake.checked(range.next().value);
        if (r != null) {
          out.add(r);
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
