package io.migaudit.cli.bench;

import io.migaudit.agent.AgentConfig;
import io.migaudit.agent.FileAgent;
import io.migaudit.agent.PipelineCounters;
import io.migaudit.record.RecordJson;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

/**
 * What Kafka's producer compression makes of the agent's flow records: the records of a capture as
 * JSON, cut into producer batches of {@link #BATCH_BYTES} (the producer's default {@code
 * batch.size}) and compressed with Kafka's own codecs, as the producer does; bytes out per record
 * and CPU time of compressing per record.
 */
final class RecordCompressionProbe {
  static final int BATCH_BYTES = 16_384;
  private static final int MAX_RECORDS = 50_000;

  /** The record batch format producers write (Kafka's magic value 2; its constant is internal). */
  private static final byte MAGIC_V2 = 2;

  /** One codec's figures. */
  record Result(String codec, double bytesPerRecord, double cpuNanosPerRecord) {}

  private RecordCompressionProbe() {}

  /** The first {@value #MAX_RECORDS} records of {@code capture} as JSON. */
  static List<byte[]> records(Path capture) throws IOException {
    List<byte[]> out = new ArrayList<>();
    new FileAgent(
            AgentConfig.defaults("bench"),
            r -> {
              if (out.size() < MAX_RECORDS) {
                out.add(RecordJson.toBytes(r));
              }
            },
            new PipelineCounters())
        .read(List.of(capture));
    return out;
  }

  static Result measure(String codec, Compression compression, List<byte[]> records)
      throws IOException {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    measureOnce(compression, records, threads); // warm-up
    long[] r = measureOnce(compression, records, threads);
    return new Result(codec, (double) r[0] / records.size(), (double) r[1] / records.size());
  }

  /** Compressed bytes and CPU nanoseconds over all records. */
  private static long[] measureOnce(
      Compression compression, List<byte[]> records, ThreadMXBean threads) throws IOException {
    long out = 0;
    long c0 = threads.getCurrentThreadCpuTime();
    int i = 0;
    while (i < records.size()) {
      ByteBufferOutputStream buffer = new ByteBufferOutputStream(BATCH_BYTES);
      int raw = 0;
      try (OutputStream s = compression.wrapForOutput(buffer, MAGIC_V2)) {
        while (i < records.size() && raw + records.get(i).length <= BATCH_BYTES) {
          s.write(records.get(i));
          raw += records.get(i).length;
          i++;
        }
        if (raw == 0) {
          s.write(records.get(i)); // a record larger than a batch goes alone
          i++;
        }
      }
      out += buffer.position();
    }
    return new long[] {out, threads.getCurrentThreadCpuTime() - c0};
  }

  /** Uncompressed, lz4 (the previous default) and zstd (the default now). */
  static List<Result> all(List<byte[]> records) throws IOException {
    long raw = 0;
    for (byte[] b : records) {
      raw += b.length;
    }
    List<Result> results = new ArrayList<>();
    results.add(new Result("none", (double) raw / records.size(), 0));
    results.add(measure("lz4", Compression.lz4().build(), records));
    results.add(measure("zstd", Compression.zstd().build(), records));
    return results;
  }
}
