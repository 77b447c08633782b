package io.migaudit.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.BeanPropertyWriter;
import com.fasterxml.jackson.databind.ser.PropertyWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link FlowRecord} as the very bytes {@link RecordJson}'s mapper would, field by field
 * through Jackson's streaming generator instead of by reflection: the agent writes one record per
 * flow and second, and reflective serialization was most of its cost. The mapper stays the source
 * of truth: at startup the fields written here are compared with the mapper's own serializers of
 * the record classes (names, order, inclusion); on any difference this writer is not used and the
 * mapper writes every record. {@code FlowRecordWriterTest} fails the build in that case and
 * compares both outputs byte for byte. A record without Kerberos requests, a handshake or a routed
 * tunnel or VNI (most of them) is written whole by {@link FlowRecordBytes} when the mapper agrees
 * on the shape of every property, the stream evidence and TTL ranges included; others go through
 * the generator here, and their properties after the ones listed (fields added later, a KDC flow's
 * Kerberos requests, a handshake, a tunnel) through the mapper's own property writers, with their
 * annotations.
 */
final class FlowRecordWriter {
  static final List<String> RECORD_FIELDS =
      List.of(
          "schemaVersion",
          "agent",
          "interface",
          "flowId",
          "seq",
          "last",
          "endReason",
          "firstSeen",
          "lastSeen",
          "vlan",
          "outerVlan",
          "encapsulation",
          "ipVersion",
          "transport",
          "src",
          "srcPort",
          "dst",
          "dstPort",
          "initiator",
          "srcToDst",
          "dstToSrc",
          "tcpFlags",
          "protocol",
          "payload");
  static final List<String> COUNTER_FIELDS = List.of("packets", "bytes", "payloadBytes");
  static final List<String> PAYLOAD_FIELDS =
      List.of(
          "sampledBytes",
          "entropy",
          "chiSquare",
          "zeroFraction",
          "printableFraction",
          "signature",
          "verdict",
          "reason");

  /**
   * The stream evidence's properties in order: all written always but the last, {@code continues},
   * which is left out when null.
   */
  static final List<String> STREAM_FIELDS =
      List.of(
          "midStream",
          "outOfWindowSegments",
          "retransmittedSegments",
          "gapBytes",
          "cutSegments",
          "continues");

  static final List<String> HOP_LIMIT_FIELDS = List.of("srcToDst", "dstToSrc");
  static final List<String> RANGE_FIELDS = List.of("min", "max");

  private static final SerializableString[] R = names(RECORD_FIELDS);
  private static final SerializableString[] C = names(COUNTER_FIELDS);
  private static final SerializableString[] P = names(PAYLOAD_FIELDS);

  private final ObjectMapper mapper;

  /**
   * The mapper's writers of the FlowRecord properties after {@link #RECORD_FIELDS}, for the records
   * the generator writes (those with Kerberos requests or a handshake).
   */
  private final List<PropertyWriter> tail = new ArrayList<>();

  /**
   * Names of the properties after {@link #RECORD_FIELDS} that {@link FlowRecordBytes} writes by
   * hand: the stream evidence and TTL ranges, when the mapper writes them as plain properties left
   * out when null.
   */
  private final List<String> handWrittenTail = new ArrayList<>();

  /**
   * The properties after {@link #RECORD_FIELDS} are the stream evidence and TTL ranges (by hand)
   * and the Kerberos requests, handshake, tunnel and VNI, left out when null: a record without the
   * last four is written whole by {@link FlowRecordBytes}.
   */
  private boolean wholeByHand;

  private final String mismatch;

  /**
   * Each thread writes through its own generator, made once: making one per record cost a fifth of
   * the writing.
   */
  private final ThreadLocal<Output> outputs = ThreadLocal.withInitial(this::newOutput);

  FlowRecordWriter(ObjectMapper mapper) {
    this.mapper = mapper;
    this.mismatch = firstMismatch();
  }

  /**
   * A generator writing into a buffer that is emptied after each record, a date cache, a provider.
   */
  private record Output(
      JsonGenerator generator,
      RecordBuffer buffer,
      IsoInstant instants,
      JsonText text,
      SerializerProvider provider,
      FlowRecordBytes bytes) {}

  private Output newOutput() {
    RecordBuffer buffer = new RecordBuffer();
    try {
      JsonGenerator g = mapper.getFactory().createGenerator(buffer);
      g.setRootValueSeparator(null); // records are separate documents, not a stream of values
      return new Output(
          g,
          buffer,
          new IsoInstant(),
          new JsonText(),
          mapper.getSerializerProviderInstance(),
          new FlowRecordBytes(
              mapper.getFactory().isEnabled(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Null when this writer matches the mapper, else what differs (and the mapper must be used). */
  String mismatch() {
    return mismatch;
  }

  /** The properties after {@link #RECORD_FIELDS} this writer writes by hand. */
  List<String> handWrittenTail() {
    return List.copyOf(handWrittenTail);
  }

  /**
   * True when a record without Kerberos requests, handshake, tunnel or VNI is written without
   * Jackson.
   */
  boolean wholeByHand() {
    return wholeByHand;
  }

  byte[] toBytes(FlowRecord r) {
    Output out = outputs.get();
    if (wholeByHand
        && r.kerberos() == null
        && r.handshake() == null
        && r.tunnel() == null
        && r.vni() == null) {
      return out.bytes().toBytes(r);
    }
    try {
      JsonGenerator g = out.generator();
      write(g, out.instants(), out.text(), r);
      for (PropertyWriter p : tail) {
        p.serializeAsField(r, g, out.provider());
      }
      g.writeEndObject();
      g.flush();
      return out.buffer().toByteArray();
    } catch (Exception e) { // the generator may be mid-record: the next record starts afresh
      outputs.remove();
      throw e instanceof IOException io
          ? new UncheckedIOException(io)
          : e instanceof RuntimeException re ? re : new IllegalStateException(e);
    } finally {
      out.buffer().reset();
    }
  }

  private static void write(JsonGenerator g, IsoInstant instants, JsonText t, FlowRecord r)
      throws IOException {
    g.writeStartObject();
    g.writeFieldName(R[0]);
    g.writeNumber(r.schemaVersion());
    string(g, t, R[1], r.agent());
    string(g, t, R[2], r.iface());
    string(g, t, R[3], r.flowId());
    g.writeFieldName(R[4]);
    g.writeNumber(r.seq());
    g.writeFieldName(R[5]);
    g.writeBoolean(r.last());
    string(g, t, R[6], r.endReason());
    string(g, t, R[7], r.firstSeen() == null ? null : instants.format(r.firstSeen()));
    string(g, t, R[8], r.lastSeen() == null ? null : instants.format(r.lastSeen()));
    integer(g, R[9], r.vlan());
    integer(g, R[10], r.outerVlan());
    strings(g, t, R[11], r.encapsulation());
    g.writeFieldName(R[12]);
    g.writeNumber(r.ipVersion());
    string(g, t, R[13], r.transport());
    string(g, t, R[14], r.src());
    g.writeFieldName(R[15]);
    g.writeNumber(r.srcPort());
    string(g, t, R[16], r.dst());
    g.writeFieldName(R[17]);
    g.writeNumber(r.dstPort());
    string(g, t, R[18], r.initiator());
    counters(g, R[19], r.srcToDst());
    counters(g, R[20], r.dstToSrc());
    strings(g, t, R[21], r.tcpFlags());
    string(g, t, R[22], r.protocol());
    payload(g, t, R[23], r.payload());
  }

  private static void counters(JsonGenerator g, SerializableString name, Counters c)
      throws IOException {
    g.writeFieldName(name);
    if (c == null) {
      g.writeNull();
      return;
    }
    g.writeStartObject();
    g.writeFieldName(C[0]);
    g.writeNumber(c.packets());
    g.writeFieldName(C[1]);
    g.writeNumber(c.bytes());
    g.writeFieldName(C[2]);
    g.writeNumber(c.payloadBytes());
    g.writeEndObject();
  }

  private static void payload(
      JsonGenerator g, JsonText t, SerializableString name, PayloadFeatures p) throws IOException {
    g.writeFieldName(name);
    if (p == null) {
      g.writeNull();
      return;
    }
    g.writeStartObject();
    g.writeFieldName(P[0]);
    g.writeNumber(p.sampledBytes());
    g.writeFieldName(P[1]);
    g.writeNumber(p.entropy());
    g.writeFieldName(P[2]);
    g.writeNumber(p.chiSquare());
    g.writeFieldName(P[3]);
    g.writeNumber(p.zeroFraction());
    g.writeFieldName(P[4]);
    g.writeNumber(p.printableFraction());
    string(g, t, P[5], p.signature() == null ? null : p.signature().wire());
    string(g, t, P[6], p.verdict() == null ? null : p.verdict().wire());
    string(g, t, P[7], p.reason());
    g.writeEndObject();
  }

  private static void string(JsonGenerator g, JsonText t, SerializableString name, String value)
      throws IOException {
    g.writeFieldName(name);
    if (value == null) {
      g.writeNull();
    } else {
      t.write(g, value);
    }
  }

  private static void integer(JsonGenerator g, SerializableString name, Integer value)
      throws IOException {
    g.writeFieldName(name);
    if (value == null) {
      g.writeNull();
    } else {
      g.writeNumber(value.intValue());
    }
  }

  private static void strings(
      JsonGenerator g, JsonText t, SerializableString name, List<String> values)
      throws IOException {
    g.writeFieldName(name);
    if (values == null) {
      g.writeNull();
      return;
    }
    g.writeStartArray();
    for (int i = 0, n = values.size(); i < n; i++) {
      String v = values.get(i);
      if (v == null) {
        g.writeNull();
      } else {
        t.write(g, v);
      }
    }
    g.writeEndArray();
  }

  private String firstMismatch() {
    JsonInclude.Include inclusion =
        mapper.getSerializationConfig().getDefaultPropertyInclusion().getValueInclusion();
    if (inclusion != JsonInclude.Include.ALWAYS && inclusion != JsonInclude.Include.USE_DEFAULTS) {
      return "the mapper includes properties "
          + inclusion
          + ", FlowRecordWriter writes them always";
    }
    try {
      List<PropertyWriter> record = properties(FlowRecord.class);
      String m = compare(FlowRecord.class, record, RECORD_FIELDS, true);
      if (m == null) {
        m = compare(Counters.class, properties(Counters.class), COUNTER_FIELDS, false);
      }
      if (m == null) {
        m =
            compare(
                PayloadFeatures.class, properties(PayloadFeatures.class), PAYLOAD_FIELDS, false);
      }
      if (m == null) {
        List<String> leftOutWhenNull = new ArrayList<>();
        for (PropertyWriter p : record.subList(RECORD_FIELDS.size(), record.size())) {
          tail.add(p);
          if (p instanceof BeanPropertyWriter b && b.willSuppressNulls()) {
            leftOutWhenNull.add(p.getName());
            if (writtenByHand(p)) {
              handWrittenTail.add(p.getName());
            }
          }
        }
        List<String> tailNames =
            record.subList(RECORD_FIELDS.size(), record.size()).stream()
                .map(PropertyWriter::getName)
                .toList();
        wholeByHand =
            tailNames.equals(List.of("kerberos", "stream", "ttl", "handshake", "tunnel", "vni"))
                && handWrittenTail.equals(List.of("stream", "ttl"))
                && leftOutWhenNull.containsAll(tailNames);
      }
      return m;
    } catch (JsonMappingException e) {
      return "the mapper has no serializer for flow records: " + e.getOriginalMessage();
    }
  }

  /** True for the stream evidence and TTL ranges when the mapper writes them as plain objects. */
  private boolean writtenByHand(PropertyWriter p) throws JsonMappingException {
    return switch (p.getName()) {
      case "stream" -> streamWrittenByHand();
      case "ttl" ->
          plain(HopLimits.class, HOP_LIMIT_FIELDS) && plain(HopLimits.Range.class, RANGE_FIELDS);
      default -> false;
    };
  }

  /** The stream evidence's properties plain but the last, which is left out when null. */
  private boolean streamWrittenByHand() throws JsonMappingException {
    List<PropertyWriter> found = properties(StreamEvidence.class);
    int plain = STREAM_FIELDS.size() - 1;
    if (found.size() != STREAM_FIELDS.size()
        || compare(StreamEvidence.class, found, STREAM_FIELDS.subList(0, plain), true) != null) {
      return false;
    }
    PropertyWriter last = found.get(plain);
    return last.getName().equals(STREAM_FIELDS.get(plain))
        && last instanceof BeanPropertyWriter b
        && b.willSuppressNulls()
        && isStandard(b);
  }

  private boolean plain(Class<?> type, List<String> written) throws JsonMappingException {
    return compare(type, properties(type), written, false) == null;
  }

  private List<PropertyWriter> properties(Class<?> type) throws JsonMappingException {
    List<PropertyWriter> found = new ArrayList<>();
    mapper
        .getSerializerProviderInstance()
        .findValueSerializer(type)
        .properties()
        .forEachRemaining(found::add);
    return found;
  }

  /**
   * Null when the mapper's properties of {@code type} begin with {@code written} (or are exactly
   * them, unless {@code more}), each a plain property written even when null.
   */
  private static String compare(
      Class<?> type, List<PropertyWriter> found, List<String> written, boolean more) {
    List<String> names = found.stream().map(PropertyWriter::getName).toList();
    boolean same =
        more
            ? names.size() >= written.size() && names.subList(0, written.size()).equals(written)
            : names.equals(written);
    if (!same) {
      return type.getSimpleName()
          + " has properties "
          + names
          + " but FlowRecordWriter writes "
          + written;
    }
    for (PropertyWriter p : found.subList(0, written.size())) {
      if (!(p instanceof BeanPropertyWriter b)
          || b.willSuppressNulls()
          || p.getAnnotation(JsonInclude.class) != null
          || b.hasSerializer() && !isStandard(b)) {
        return type.getSimpleName()
            + "."
            + p.getName()
            + " is not written as a plain property by the mapper";
      }
    }
    return null;
  }

  /**
   * A serializer the mapper assigned by type (strings, numbers), not one an annotation asked for.
   */
  private static boolean isStandard(BeanPropertyWriter p) {
    return p.getAnnotation(JsonSerialize.class) == null;
  }

  private static SerializableString[] names(List<String> names) {
    return names.stream().map(SerializedString::new).toArray(SerializableString[]::new);
  }
}
