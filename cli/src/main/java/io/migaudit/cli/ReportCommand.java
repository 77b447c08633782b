package io.migaudit.cli;

import io.migaudit.record.Alert;
import io.migaudit.record.RecordJson;
import io.migaudit.record.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code migaudit report}: a compliance summary of alerts per control and per host pair. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
        "Summarises alerts for an auditor: per compliance control (NIST SC-8, DISA ..., VMware SCG ...)",
        "the number of alerts, their rules, severities and host pairs; then per host pair",
        "(sender -> receiver) the alerts by rule and the controls they evidence.",
        "Alerts come from JSON lines files (written by replay/analyzer --alerts FILE) or, with",
        "--bootstrap-servers, from the topic " + ReportCommand.TOPIC + " read from the beginning up to its",
        "current end (no consumer group, no offsets committed). Lines that are not alerts are counted",
        "and reported in one line on stderr; they do not stop the report."},
    footer = {"", "Examples:",
        "  ./migaudit report alerts.jsonl",
        "  ./migaudit report --since 24h --html report.html alerts.jsonl",
        "  ./migaudit report --bootstrap-servers kafka1:9092 --since 7d"})
final class ReportCommand implements Callable<Integer> {
  static final String TOPIC = Topics.ALERTS;
  private static final Pattern DURATION = Pattern.compile("(\\d+)([smhdw])");
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  @Parameters(arity = "0..*", paramLabel = "ALERTS.jsonl",
      description = "Alert files, one JSON alert per line. Required unless --bootstrap-servers is given.")
  List<Path> files = new ArrayList<>();

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
      description = "Read alerts from Kafka topic " + TOPIC + " (all partitions, from the beginning"
          + " to the end offsets at start) instead of files.")
  String bootstrapServers;

  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = KafkaClientConfig.OPTION_DESCRIPTION)
  Path kafkaConfig;

  @Option(names = "--since", paramLabel = "DURATION",
      description = "Only alerts detected within DURATION (e.g. 90m, 24h, 7d, 2w) before the reference"
          + " time. The reference is the newest alert's detectedAt in the input, NOT the wall clock"
          + " (replayed captures carry old timestamps); --now overrides it. Default: all alerts.")
  String since;

  @Option(names = "--now", paramLabel = "INSTANT",
      description = "Reference time for --since, ISO-8601 UTC (e.g. 2026-01-31T12:00:00Z)."
          + " Default: the newest alert's detectedAt.")
  String now;

  @Option(names = "--html", paramLabel = "FILE",
      description = "Also write the report as a self-contained HTML page (no scripts) to FILE.")
  Path html;

  @Option(names = "--verbose", description = "Print stack traces of errors.")
  boolean verbose;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Duration window = since == null ? null : parseDuration(since);
    Instant reference = null;
    if (now != null) {
      try {
        reference = Instant.parse(now);
      } catch (DateTimeParseException e) {
        throw new UserError("--now " + now + ": not an ISO-8601 instant (e.g. 2026-01-31T12:00:00Z)");
      }
    }
    if (bootstrapServers == null && files.isEmpty()) {
      throw new UserError("no input: pass ALERTS.jsonl files or --bootstrap-servers HOST:PORT");
    }
    if (bootstrapServers != null && !files.isEmpty()) {
      throw new UserError("pass either ALERTS.jsonl files or --bootstrap-servers, not both");
    }
    Input input = bootstrapServers != null ? readKafka() : readFiles(files);
    if (input.malformed > 0) {
      spec.commandLine().getErr().println("migaudit: skipped " + input.malformed
          + " malformed line(s) of " + (input.malformed + input.alerts.size()) + " (first: "
          + input.firstMalformed + ")");
      spec.commandLine().getErr().flush();
    }
    ComplianceReport report = ComplianceReport.of(input.alerts, window, reference);
    PrintWriter out = spec.commandLine().getOut();
    out.print(report.text());
    out.flush();
    if (html != null) {
      try {
        Files.writeString(html, report.html(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UserError(html + ": cannot write: " + e.getMessage(), e);
      }
    }
    return 0;
  }

  static Duration parseDuration(String s) throws UserError {
    Matcher m = DURATION.matcher(s.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new UserError("--since " + s + ": not a duration (e.g. 90m, 24h, 7d, 2w)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofDays(7 * n);
    };
  }

  /** Alerts read and lines that were not alerts. */
  static final class Input {
    final List<Alert> alerts = new ArrayList<>();
    int malformed;
    String firstMalformed;

    void add(byte[] bytes, String where) {
      try {
        alerts.add(RecordJson.alert(bytes));
      } catch (RecordJson.MalformedRecordException e) {
        if (malformed++ == 0) {
          firstMalformed = where + ": " + e.getMessage();
        }
      }
    }
  }

  static Input readFiles(List<Path> paths) throws UserError {
    Input in = new Input();
    for (Path p : paths) {
      if (!Files.isRegularFile(p)) {
        throw new UserError(p + ": no such file");
      }
      try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
          n++;
          if (!line.isBlank()) {
            in.add(line.getBytes(StandardCharsets.UTF_8), p + ":" + n);
          }
        }
      } catch (NoSuchFileException e) {
        throw new UserError(p + ": no such file", e);
      } catch (IOException e) {
        throw new UserError(p + ": cannot read: " + e.getMessage(), e);
      }
    }
    return in;
  }

  private Input readKafka() throws UserError {
    Map<String, Object> props = new HashMap<>(KafkaClientConfig.load(kafkaConfig));
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "migaudit-report-" + UUID.randomUUID());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG); // assign(): no group, nothing committed
    Input in = new Input();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = c.partitionsFor(TOPIC, KAFKA_TIMEOUT);
      if (infos == null || infos.isEmpty()) {
        throw new UserError("topic " + TOPIC + " does not exist on " + bootstrapServers);
      }
      List<TopicPartition> parts = infos.stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, KAFKA_TIMEOUT);
      Instant deadline = Instant.now().plus(KAFKA_TIMEOUT);
      while (!reachedEnd(c, end)) {
        if (Instant.now().isAfter(deadline)) {
          throw new UserError("reading " + TOPIC + " from " + bootstrapServers + " timed out after "
              + KAFKA_TIMEOUT.toSeconds() + "s");
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          if (r.offset() < end.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L)) {
            in.add(r.value() == null ? new byte[0] : r.value(),
                r.topic() + "-" + r.partition() + "@" + r.offset());
          }
        }
      }
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new UserError("Kafka " + bootstrapServers + ": " + e.getMessage(), e);
    }
    return in;
  }

  private static boolean reachedEnd(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (c.position(e.getKey(), KAFKA_TIMEOUT) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
