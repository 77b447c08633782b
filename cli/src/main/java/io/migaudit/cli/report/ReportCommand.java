package io.migaudit.cli.report;

import io.migaudit.analyzer.consume.RecordKeys;
import io.migaudit.cli.common.KafkaConfigOption;
import io.migaudit.cli.common.UserError;
import io.migaudit.cli.common.VerboseOption;
import io.migaudit.record.RecordKey;
import io.migaudit.record.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code migaudit report}: compliance evidence per control (PASS, FAIL, NOT OBSERVED) from alerts,
 * migration events and agents' heartbeats, as text, HTML or OCSF findings.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Compliance evidence for an auditor: every control (NIST SC-8, SC-8(1), AC-4(21), DISA STIG,",
      "VMware SCG, Microsoft's Kerberos-not-CredSSP guidance) as PASS (migrations it applies to were",
      "observed, none failed), FAIL (alerts, with the worst host pairs) or NOT OBSERVED (no evidence);",
      "the migrations observed by protocol and verdict, the period, the agents and when they were",
      "silent; then alerts per control and per host pair. Alerts are counted once per alertId.",
      "Input: JSON lines files of alerts, migration events and heartbeats in any mix (replay's --alerts,",
      "--events and --flows files) or, with --bootstrap-servers, the topics " + Topics.ALERTS + ",",
      Topics.MIGRATIONS
          + " and "
          + Topics.FLOWS
          + " (heartbeats only) read from the beginning up to their",
      "current end (no consumer group, no offsets committed). Lines that are none of these are counted",
      "and reported in one line on stderr; they do not stop the report."
    },
    footer = {
      "",
      "Examples:",
      "  ./migaudit report alerts.jsonl events.jsonl flows.jsonl",
      "  ./migaudit report --since 24h --html report.html alerts.jsonl",
      "  ./migaudit report --bootstrap-servers kafka1:9092 --since 7d",
      "  ./migaudit report --format ocsf alerts.jsonl events.jsonl > findings.ocsf.jsonl"
    })
public final class ReportCommand implements Callable<Integer> {
  static final String TOPIC = Topics.ALERTS;
  private static final Pattern DURATION = Pattern.compile("(\\d+)([smhdw])");
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  @Parameters(
      arity = "0..*",
      paramLabel = "FILE.jsonl",
      description =
          "JSON lines of alerts, migration events and heartbeats (flow records are skipped)."
              + " Required unless --bootstrap-servers is given.")
  List<Path> files = new ArrayList<>();

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT[,...]",
      description =
          "Read topics "
              + TOPIC
              + ", "
              + Topics.MIGRATIONS
              + " and "
              + Topics.FLOWS
              + " (all partitions, from the beginning to the end offsets at start) instead of files; a topic"
              + " that does not exist is skipped, except "
              + TOPIC
              + ".")
  String bootstrapServers;

  @Mixin KafkaConfigOption kafkaConfig = new KafkaConfigOption();

  @Option(
      names = "--record-keys",
      paramLabel = "DIR",
      description =
          "With --bootstrap-servers: count an agent's heartbeat only when it is signed with that "
              + "agent's record key (DIR: one AGENT_ID.key per agent, as for analyzer "
              + "--record-keys), so that heartbeats forged onto "
              + Topics.FLOWS
              + " cannot hide an agent's silence. Others are reported as skipped lines.")
  Path recordKeys;

  @Option(
      names = "--analyzer-key",
      paramLabel = "FILE",
      description =
          "With --bootstrap-servers: count an alert or migration event only when it is signed with "
              + "the analyzers' record key (analyzer --record-key FILE), so that ones forged onto "
              + TOPIC
              + " or "
              + Topics.MIGRATIONS
              + " are not evidence. Others are reported as skipped lines.")
  Path analyzerKey;

  @Option(
      names = "--since",
      paramLabel = "DURATION",
      description =
          "Only what happened within DURATION (e.g. 90m, 24h, 7d, 2w) before the reference"
              + " time. The reference is the newest time in the input (alert, event, heartbeat), NOT the wall clock"
              + " (replayed captures carry old timestamps); --now overrides it. Default: all alerts.")
  String since;

  @Option(
      names = "--now",
      paramLabel = "INSTANT",
      description =
          "Reference time for --since, ISO-8601 UTC (e.g. 2026-01-31T12:00:00Z)."
              + " Default: the newest time in the input.")
  String now;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description =
          "Also write the report as a self-contained HTML page (no script, no network access,"
              + " inline SVG charts, printable) to FILE.")
  Path html;

  @Option(
      names = "--format",
      paramLabel = "text|ocsf",
      defaultValue = "text",
      description =
          "What goes to stdout: text (default), or ocsf: JSON lines of OCSF 1.3.0 findings, one"
              + " Compliance Finding per control (Pass, Fail, or Warning for NOT OBSERVED) and one Detection"
              + " Finding per alert (finding_info.uid = alertId), for a SIEM.")
  String format;

  @Mixin VerboseOption verbose = new VerboseOption();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Duration window = since == null ? null : parseDuration(since);
    Instant reference = null;
    if (now != null) {
      try {
        reference = Instant.parse(now);
      } catch (DateTimeParseException e) {
        throw new UserError(
            "--now " + now + ": not an ISO-8601 instant (e.g. 2026-01-31T12:00:00Z)");
      }
    }
    if (!"text".equals(format) && !"ocsf".equals(format)) {
      throw new UserError("--format " + format + ": expected text or ocsf");
    }
    boolean ocsf = "ocsf".equals(format);
    if (bootstrapServers == null && files.isEmpty()) {
      throw new UserError("no input: pass FILE.jsonl files or --bootstrap-servers HOST:PORT");
    }
    if (bootstrapServers != null && !files.isEmpty()) {
      throw new UserError("pass either FILE.jsonl files or --bootstrap-servers, not both");
    }
    if ((recordKeys != null || analyzerKey != null) && bootstrapServers == null) {
      throw new UserError(
          (recordKeys != null ? "--record-keys" : "--analyzer-key")
              + " needs --bootstrap-servers: lines in files carry no record signatures");
    }
    ReportInput input = bootstrapServers != null ? readKafka() : ReportInput.readFiles(files);
    if (input.malformed > 0) {
      spec.commandLine()
          .getErr()
          .println(
              "migaudit: skipped "
                  + input.malformed
                  + " malformed line(s) of "
                  + input.read
                  + " (first: "
                  + input.firstMalformed
                  + ")");
      spec.commandLine().getErr().flush();
    }
    ComplianceReport report = ComplianceReport.of(input, window, reference);
    PrintWriter out = spec.commandLine().getOut();
    if (ocsf) {
      ReportOcsf.lines(report).forEach(out::println);
    } else {
      out.print(ReportText.render(report));
    }
    out.flush();
    if (html != null) {
      try {
        Files.writeString(html, ReportHtml.render(report), StandardCharsets.UTF_8);
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
    try {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(Math.multiplyExact(7, n));
      };
    } catch (NumberFormatException | ArithmeticException e) {
      throw new UserError("--since " + s + ": too long a duration");
    }
  }

  private ReportInput readKafka() throws UserError {
    Map<String, Object> props = new HashMap<>(kafkaConfig.load());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "migaudit-report-" + UUID.randomUUID());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG); // assign(): no group, nothing committed
    ReportInput in;
    try {
      in =
          new ReportInput(
              recordKeys == null ? null : RecordKeys.load(recordKeys),
              analyzerKey == null ? null : RecordKey.read(analyzerKey));
    } catch (IOException e) {
      throw new UserError("record keys: " + e.getMessage(), e);
    }
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      if (!readTopic(c, TOPIC, in::addSigned)) {
        throw new UserError("topic " + TOPIC + " does not exist on " + bootstrapServers);
      }
      readTopic(c, Topics.MIGRATIONS, in::addSigned);
      readTopic(c, Topics.FLOWS, in::addFlowTopicRecord);
    } catch (KafkaException e) {
      throw new UserError("Kafka " + bootstrapServers + ": " + e.getMessage(), e);
    }
    return in;
  }

  /** Reads {@code topic} from its beginning to its current end; false when it does not exist. */
  private boolean readTopic(KafkaConsumer<byte[], byte[]> c, String topic, TopicSink sink)
      throws UserError {
    List<PartitionInfo> infos = c.listTopics(KAFKA_TIMEOUT).get(topic);
    if (infos == null || infos.isEmpty()) {
      return false;
    }
    List<TopicPartition> parts =
        infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    c.assign(parts);
    c.seekToBeginning(parts);
    Map<TopicPartition, Long> end = c.endOffsets(parts, KAFKA_TIMEOUT);
    Instant deadline = Instant.now().plus(KAFKA_TIMEOUT);
    while (!reachedEnd(c, end)) {
      if (Instant.now().isAfter(deadline)) {
        throw new UserError(
            "reading "
                + topic
                + " from "
                + bootstrapServers
                + " timed out after "
                + KAFKA_TIMEOUT.toSeconds()
                + "s");
      }
      for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
        if (r.offset() < end.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L)) {
          Header mac = r.headers().lastHeader(RecordKey.HEADER);
          sink.accept(
              r.value() == null ? new byte[0] : r.value(),
              r.topic() + "-" + r.partition() + "@" + r.offset(),
              mac == null ? null : mac.value());
        }
      }
    }
    return true;
  }

  /** Where a topic's values go: the value, where it sits, and its record signature or null. */
  @FunctionalInterface
  private interface TopicSink {
    void accept(byte[] value, String where, byte[] signature);
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
