package io.migaudit.bench;

import io.migaudit.record.Counters;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.HopLimits;
import io.migaudit.record.PayloadFeatures;
import io.migaudit.record.RecordJson;
import io.migaudit.record.RecordKey;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Signature;
import io.migaudit.record.StreamEvidence;
import io.migaudit.record.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serializing one flow record to its JSON bytes, signing and checking those bytes, and computing
 * one flow id.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RecordJsonBenchmark {
  private static final Instant FIRST = Instant.parse("2024-11-22T10:26:40.123456Z");

  private final FlowRecord record =
      new FlowRecord(
              SchemaVersion.CURRENT,
              "esx-01",
              "vmk1",
              FlowId.of("tcp", "198.18.20.11", 41011, "198.18.20.21", 8000, 200, FIRST),
              3,
              false,
              null,
              FIRST,
              FIRST.plusMillis(3001),
              200,
              null,
              List.of("ethernet", "vlan"),
              4,
              "tcp",
              "198.18.20.11",
              41011,
              "198.18.20.21",
              8000,
              "syn",
              new Counters(37_000, 54_000_000, 52_500_000),
              new Counters(18_500, 740_000, 0),
              List.of("SYN", "PSH", "ACK"),
              "vmotion",
              new PayloadFeatures(
                  262_144,
                  5.2311,
                  712_345.1,
                  0.31,
                  0.22,
                  Signature.VMOTION,
                  Verdict.PLAINTEXT,
                  "vmotion framing in clear (entropy 5.23 bits/byte, chi-square "
                      + "712345 over 262144 bytes, 31% zero, 22% printable)"))
          // as the agent's TCP records carry them
          .withStream(new StreamEvidence(false, 0, 12, 0, 0))
          .withPath(new HopLimits(new HopLimits.Range(63, 64), new HopLimits.Range(64, 64)), null);

  @Benchmark
  public byte[] flowRecordToBytes() {
    return RecordJson.toBytes(record);
  }

  private final byte[] json = RecordJson.toBytes(record);
  private final RecordKey key = new RecordKey(new byte[RecordKey.MIN_BYTES]);
  private final byte[] mac = key.sign(json);

  /** The agent's record signature of one record's JSON (agent --record-key). */
  @Benchmark
  public byte[] signRecord() {
    return key.sign(json);
  }

  /** The analyzer's check of it (analyzer --record-keys). */
  @Benchmark
  public boolean verifyRecord() {
    return key.verifies(json, mac);
  }

  @Benchmark
  public String flowId() {
    return FlowId.of("tcp", "198.18.20.11", 41011, "198.18.20.21", 8000, 200, FIRST);
  }
}
