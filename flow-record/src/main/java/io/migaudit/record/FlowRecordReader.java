package io.migaudit.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a flow record's JSON with Jackson's streaming parser straight into a {@link FlowRecord}:
 * the analyzer reads every record, and data binding cost about twice the parse. It takes only the
 * plain shape {@link RecordJson} writes (strings as strings, numbers as numbers, ISO instants,
 * known enum names; unknown fields skipped, missing ones at their defaults, as data binding does;
 * no {@code kerberos} activity) and returns null for anything else, which {@link RecordJson} then
 * reads the general way and, when it is bad, says exactly what is wrong.
 */
final class FlowRecordReader {
  private final JsonFactory factory;

  FlowRecordReader(JsonFactory factory) {
    this.factory = factory;
  }

  /** The record, or null when the input is not in the plain shape (or not a record at all). */
  FlowRecord read(byte[] json) {
    try (JsonParser p = factory.createParser(json)) {
      // the payload statistics are doubles: Jackson's fast parser reads the same values
      // (correctly rounded, as Double.parseDouble) in a fraction of the time
      p.enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER.mappedFeature());
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      return record(p);
    } catch (IOException | IllegalArgumentException | DateTimeException | Shape e) {
      return null;
    }
  }

  /** The input is not in the shape this reader takes. */
  static final class Shape extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Shape INSTANCE = new Shape();

    private Shape() {
      super(null, null, false, false);
    }
  }

  private static FlowRecord record(JsonParser p) throws IOException {
    int schemaVersion = 0;
    String agent = null;
    String iface = null;
    String flowId = null;
    long seq = 0;
    boolean last = false;
    String endReason = null;
    Instant firstSeen = null;
    Instant lastSeen = null;
    Integer vlan = null;
    Integer outerVlan = null;
    List<String> encapsulation = null;
    int ipVersion = 0;
    String transport = null;
    String src = null;
    int srcPort = 0;
    String dst = null;
    int dstPort = 0;
    String initiator = null;
    Counters srcToDst = null;
    Counters dstToSrc = null;
    List<String> tcpFlags = null;
    String protocol = null;
    PayloadFeatures payload = null;
    StreamEvidence stream = null;
    HopLimits ttl = null;
    Integer vni = null;
    String field;
    while ((field = p.nextFieldName()) != null) {
      JsonToken t = p.nextToken();
      switch (field) {
        case "schemaVersion" -> schemaVersion = integer(p, t);
        case "agent" -> agent = string(p, t);
        case "interface" -> iface = string(p, t);
        case "flowId" -> flowId = string(p, t);
        case "seq" -> seq = longValue(p, t);
        case "last" -> last = bool(t);
        case "endReason" -> endReason = string(p, t);
        case "firstSeen" -> firstSeen = instant(p, t);
        case "lastSeen" -> lastSeen = instant(p, t);
        case "vlan" -> vlan = t == JsonToken.VALUE_NULL ? null : integer(p, t);
        case "outerVlan" -> outerVlan = t == JsonToken.VALUE_NULL ? null : integer(p, t);
        case "encapsulation" -> encapsulation = strings(p, t);
        case "ipVersion" -> ipVersion = integer(p, t);
        case "transport" -> transport = string(p, t);
        case "src" -> src = string(p, t);
        case "srcPort" -> srcPort = integer(p, t);
        case "dst" -> dst = string(p, t);
        case "dstPort" -> dstPort = integer(p, t);
        case "initiator" -> initiator = string(p, t);
        case "srcToDst" -> srcToDst = counters(p, t);
        case "dstToSrc" -> dstToSrc = counters(p, t);
        case "tcpFlags" -> tcpFlags = strings(p, t);
        case "protocol" -> protocol = string(p, t);
        case "payload" -> payload = payload(p, t);
        case "ttl" -> ttl = HopLimitsReader.read(p, t);
        case "vni" -> vni = t == JsonToken.VALUE_NULL ? null : integer(p, t);
        case "kerberos", "handshake", "tunnel" -> { // rare: read by data binding
          if (t != JsonToken.VALUE_NULL) {
            throw Shape.INSTANCE;
          }
        }
        case "stream" -> stream = stream(p, t);
        default -> p.skipChildren();
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw Shape.INSTANCE;
    }
    return new FlowRecord(
        schemaVersion,
        agent,
        iface,
        flowId,
        seq,
        last,
        endReason,
        firstSeen,
        lastSeen,
        vlan,
        outerVlan,
        encapsulation,
        ipVersion,
        transport,
        src,
        srcPort,
        dst,
        dstPort,
        initiator,
        srcToDst,
        dstToSrc,
        tcpFlags,
        protocol,
        payload,
        null,
        stream,
        ttl,
        null,
        null,
        vni);
  }

  private static StreamEvidence stream(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_OBJECT) {
      throw Shape.INSTANCE;
    }
    boolean midStream = false;
    long outOfWindow = 0;
    long retransmitted = 0;
    long gapBytes = 0;
    long cutSegments = 0;
    String continues = null;
    String field;
    while ((field = p.nextFieldName()) != null) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "midStream" -> midStream = bool(v);
        case "outOfWindowSegments" -> outOfWindow = longValue(p, v);
        case "retransmittedSegments" -> retransmitted = longValue(p, v);
        case "gapBytes" -> gapBytes = longValue(p, v);
        case "cutSegments" -> cutSegments = longValue(p, v);
        case "continues" -> continues = string(p, v);
        default -> p.skipChildren();
      }
    }
    return new StreamEvidence(
        midStream, outOfWindow, retransmitted, gapBytes, cutSegments, continues);
  }

  private static Counters counters(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_OBJECT) {
      throw Shape.INSTANCE;
    }
    long packets = 0;
    long bytes = 0;
    long payloadBytes = 0;
    String field;
    while ((field = p.nextFieldName()) != null) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "packets" -> packets = longValue(p, v);
        case "bytes" -> bytes = longValue(p, v);
        case "payloadBytes" -> payloadBytes = longValue(p, v);
        default -> p.skipChildren();
      }
    }
    return new Counters(packets, bytes, payloadBytes);
  }

  private static PayloadFeatures payload(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_OBJECT) {
      throw Shape.INSTANCE;
    }
    long sampledBytes = 0;
    double entropy = 0;
    double chiSquare = 0;
    double zeroFraction = 0;
    double printableFraction = 0;
    Signature signature = null;
    Verdict verdict = null;
    String reason = null;
    String field;
    while ((field = p.nextFieldName()) != null) {
      JsonToken v = p.nextToken();
      switch (field) {
        case "sampledBytes" -> sampledBytes = longValue(p, v);
        case "entropy" -> entropy = number(p, v);
        case "chiSquare" -> chiSquare = number(p, v);
        case "zeroFraction" -> zeroFraction = number(p, v);
        case "printableFraction" -> printableFraction = number(p, v);
        case "signature" ->
            signature = v == JsonToken.VALUE_NULL ? null : Signature.fromWire(string(p, v));
        case "verdict" ->
            verdict = v == JsonToken.VALUE_NULL ? null : Verdict.fromWire(string(p, v));
        case "reason" -> reason = string(p, v);
        default -> p.skipChildren();
      }
    }
    return new PayloadFeatures(
        sampledBytes,
        entropy,
        chiSquare,
        zeroFraction,
        printableFraction,
        signature,
        verdict,
        reason);
  }

  private static List<String> strings(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.START_ARRAY) {
      throw Shape.INSTANCE;
    }
    List<String> list = new ArrayList<>(4);
    JsonToken v;
    while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
      if (v != JsonToken.VALUE_STRING) {
        throw Shape.INSTANCE;
      }
      list.add(p.getText());
    }
    return list;
  }

  private static String string(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (t != JsonToken.VALUE_STRING) {
      throw Shape.INSTANCE;
    }
    return p.getText();
  }

  private static Instant instant(JsonParser p, JsonToken t) throws IOException {
    String s = string(p, t);
    return s == null ? null : instant(s);
  }

  /** Length of "2026-11-23T10:02:00.123456Z", the form RecordJson writes (UTC, microseconds). */
  private static final int MICROS_INSTANT_LENGTH = 27;

  /**
   * {@link Instant#parse} with a quick path for RecordJson's own form (it is a third of a record's
   * parse).
   */
  static Instant instant(String s) {
    if (s.length() != MICROS_INSTANT_LENGTH
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':'
        || s.charAt(19) != '.'
        || s.charAt(26) != 'Z') {
      return Instant.parse(s);
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    int micros = digits(s, 20, 6);
    if (year < 0
        || month < 0
        || day < 0
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59
        || micros < 0) {
      return Instant.parse(
          s); // says what is wrong, or takes what this path does not (a leap second)
    }
    long days = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(
        days * 86_400L + hour * 3_600L + minute * 60L + second, micros * 1_000L);
  }

  /** The decimal number in {@code s[from, from + n)}, or -1 when a character is not a digit. */
  private static int digits(String s, int from, int n) {
    int v = 0;
    for (int i = from; i < from + n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean bool(JsonToken t) {
    if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
      return t == JsonToken.VALUE_TRUE;
    }
    throw Shape.INSTANCE;
  }

  private static int integer(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
      throw Shape.INSTANCE;
    }
    return p.getIntValue();
  }

  private static long longValue(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw Shape.INSTANCE;
    }
    return p.getLongValue();
  }

  private static double number(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw Shape.INSTANCE;
    }
    return p.getDoubleValue();
  }
}
