package io.migaudit.agent.flow;

import io.migaudit.record.FlowRecord;

/** Where the flow table hands its records (the Kafka publisher, a test list, a file). */
@FunctionalInterface
public interface FlowRecordSink {
  void accept(FlowRecord record);
}
