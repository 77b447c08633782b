package io.migaudit.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The only code that knows the wire format of {@link FlowRecord}, {@link Alert}, {@link
 * MigrationEvent} and {@link AgentHeartbeat}: JSON, one object per Kafka record or per line, enums
 * in lowercase, times as ISO-8601 UTC with microseconds. Readers ignore fields they do not know, so
 * adding a field is compatible within a schema version; removing or changing one bumps {@link
 * SchemaVersion}.
 */
public final class RecordJson {

  /** A record could not be read: bad JSON, missing fields or another schema version. */
  public static final class MalformedRecordException extends Exception {
    private final String kind;

    MalformedRecordException(String kind, String message, Throwable cause) {
      super(message, cause);
      this.kind = kind;
    }

    /** A short bounded name of what was wrong ("json", "schema-version"), fit for a metric tag. */
    public String kind() {
      return kind;
    }
  }

  private static final ObjectMapper MAPPER = mapperBuilder().build();

  /** The wire format's mapper settings (tests add to them). */
  static JsonMapper.Builder mapperBuilder() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .addModule(enumsInLowercase())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(
            SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS) // evidence maps: same alert, same bytes
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        // tolerant reader: a field added within a schema version (e.g. Alert.controls) must not
        // make
        // an older reader drop the record; incompatible changes bump SchemaVersion instead
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .serializationInclusion(JsonInclude.Include.ALWAYS)
        // Schubfach's shortest digits instead of Java 17's Double.toString (48 against 80 ns a
        // double here): every record with payload carries four (BENCHMARKS.md, issue 18)
        .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER);
  }

  /** Writes flow records (the agent's hot path) as the mapper would, without reflection. */
  private static final FlowRecordWriter FLOW_RECORDS = new FlowRecordWriter(MAPPER);

  private RecordJson() {}

  private static SimpleModule enumsInLowercase() {
    SimpleModule m = new SimpleModule("migaudit-enums");
    m.addSerializer(Verdict.class, new WireEnumSerializer<>(Verdict.class, Verdict::wire));
    m.addSerializer(Signature.class, new WireEnumSerializer<>(Signature.class, Signature::wire));
    m.addSerializer(Severity.class, new WireEnumSerializer<>(Severity.class, Severity::wire));
    m.addDeserializer(Verdict.class, new WireEnumDeserializer<>(Verdict.class, Verdict::fromWire));
    m.addDeserializer(
        Signature.class, new WireEnumDeserializer<>(Signature.class, Signature::fromWire));
    m.addDeserializer(
        Severity.class, new WireEnumDeserializer<>(Severity.class, Severity::fromWire));
    return m;
  }

  private static final FlowRecordReader FLOW_READER = new FlowRecordReader(MAPPER.getFactory());

  public static byte[] toBytes(Object recordOrAlert) {
    if (recordOrAlert instanceof FlowRecord r && FLOW_RECORDS.mismatch() == null) {
      return FLOW_RECORDS.toBytes(r);
    }
    try {
      return MAPPER.writeValueAsBytes(recordOrAlert);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String toLine(Object recordOrAlert) {
    if (recordOrAlert instanceof FlowRecord r && FLOW_RECORDS.mismatch() == null) {
      return new String(FLOW_RECORDS.toBytes(r), StandardCharsets.UTF_8);
    }
    try {
      return MAPPER.writeValueAsString(recordOrAlert);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Why flow records are written by the mapper rather than by the faster writer, or null if they
   * are not.
   */
  static String flowRecordWriterMismatch() {
    return FLOW_RECORDS.mismatch();
  }

  /** The mapper's own bytes for a value, bypassing the flow record writer (tests compare both). */
  static byte[] mapperBytes(Object value) throws JsonProcessingException {
    return MAPPER.writeValueAsBytes(value);
  }

  public static FlowRecord flowRecord(byte[] json) throws MalformedRecordException {
    // Fast path, one streaming parse straight into the record: the analyzer reads every flow
    // record.
    // Anything it does not take (bad JSON, another schema version, another shape) goes the general
    // way
    // below, which reads what data binding accepts and says what is wrong exactly as before.
    FlowRecord r = FLOW_READER.read(json);
    if (r != null && r.schemaVersion() == SchemaVersion.CURRENT) {
      return r;
    }
    return read(json, FlowRecord.class);
  }

  public static Alert alert(byte[] json) throws MalformedRecordException {
    return read(json, Alert.class);
  }

  public static MigrationEvent migrationEvent(byte[] json) throws MalformedRecordException {
    return read(json, MigrationEvent.class);
  }

  /**
   * An agent's heartbeat; a record whose {@code kind} is not {@link AgentHeartbeat#KIND} (every
   * flow record) is rejected with kind "not-heartbeat".
   */
  public static AgentHeartbeat heartbeat(byte[] json) throws MalformedRecordException {
    String kind = kindOf(json);
    if (!AgentHeartbeat.KIND.equals(kind)) {
      throw new MalformedRecordException(
          "not-heartbeat", "kind " + kind + " is not " + AgentHeartbeat.KIND, null);
    }
    AgentHeartbeat h = read(json, AgentHeartbeat.class);
    if (h.agent() == null || h.at() == null) {
      throw new MalformedRecordException("fields", "heartbeat without agent or at", null);
    }
    return h;
  }

  /** The top-level {@code kind} of a JSON object, null when absent or not JSON. */
  private static String kindOf(byte[] json) {
    try {
      JsonNode kind = MAPPER.readTree(json).get("kind");
      return kind == null || !kind.isTextual() ? null : kind.textValue();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static <T> T read(byte[] json, Class<T> type) throws MalformedRecordException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new MalformedRecordException("json", "not JSON: " + firstLine(e.getMessage()), e);
    }
    if (tree == null || !tree.isObject()) {
      throw new MalformedRecordException("json", "not a JSON object", null);
    }
    JsonNode version = tree.get("schemaVersion");
    if (version == null
        || !version.canConvertToInt()
        || version.intValue() != SchemaVersion.CURRENT) {
      throw new MalformedRecordException(
          "schema-version", "schemaVersion " + version + " is not " + SchemaVersion.CURRENT, null);
    }
    try {
      return MAPPER.treeToValue(tree, type);
    } catch (IOException | IllegalArgumentException e) {
      throw new MalformedRecordException(
          "fields", "bad " + type.getSimpleName() + ": " + firstLine(e.getMessage()), e);
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
