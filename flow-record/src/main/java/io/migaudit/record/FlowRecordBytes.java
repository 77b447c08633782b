package io.migaudit.record;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.NumberOutput;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a flow record's JSON straight into a byte array, field names as prepared bytes, the bytes
 * {@link FlowRecordWriter} gets from Jackson's generator: the generator's bookkeeping per value
 * (context checks, separators, its own buffers) was most of the cost of a record once reflection
 * was gone. Only for the properties it knows; {@link FlowRecordWriter} decides when it may be used
 * (the mapper agrees on every property's shape, and the record has no Kerberos requests or
 * handshake, which the mapper writes). Text that is not plain printable ASCII is escaped by
 * Jackson's own {@link JsonStringEncoder}; integers as {@link Long#toString} writes them, doubles
 * by Jackson's {@link NumberOutput}, non-finite ones quoted, as the generator does. One per thread.
 */
final class FlowRecordBytes {
  private static final byte[][] RECORD = prefixes(FlowRecordWriter.RECORD_FIELDS);
  private static final byte[][] COUNTERS = prefixes(FlowRecordWriter.COUNTER_FIELDS);
  private static final byte[][] PAYLOAD = prefixes(FlowRecordWriter.PAYLOAD_FIELDS);
  private static final byte[][] STREAM = prefixes(FlowRecordWriter.STREAM_FIELDS);
  private static final byte[][] HOP_LIMITS = prefixes(FlowRecordWriter.HOP_LIMIT_FIELDS);
  private static final byte[][] RANGE = prefixes(FlowRecordWriter.RANGE_FIELDS);
  private static final byte[] STREAM_NAME = ascii(",\"stream\":");
  private static final byte[] TTL_NAME = ascii(",\"ttl\":");
  private static final byte[] NULL = ascii("null");
  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");
  private static final byte[] LONG_MIN = ascii(Long.toString(Long.MIN_VALUE));

  /** Characters written as they are: printable ASCII but the quote and the backslash. */
  private static final boolean[] PLAIN = new boolean[0x7F];

  /** "00" to "99", two ASCII digits each. */
  private static final byte[] DIGIT_PAIRS = new byte[200];

  static {
    for (char c = 0x20; c < 0x7F; c++) {
      PLAIN[c] = c != '"' && c != '\\';
    }
    for (int i = 0; i < 100; i++) {
      DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
      DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
    }
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Magnitudes that shortest-digit output writes without an exponent: from here... */
  private static final double PLAIN_FROM = 1e-3;

  /** ...to below here. */
  private static final double PLAIN_TO = 1e7;

  private static final double TEN_THOUSAND = 10_000;

  private final IsoInstant instants = new IsoInstant();
  private final boolean fastDoubles;
  private byte[] out = new byte[1024];
  private int at;

  /**
   * @param fastDoubles whether the mapper writes doubles with Schubfach's shortest digits ({@code
   *     StreamWriteFeature.USE_FAST_DOUBLE_WRITER}) or {@link Double#toString}
   */
  FlowRecordBytes(boolean fastDoubles) {
    this.fastDoubles = fastDoubles;
  }

  /** The record's JSON, as the mapper writes it. */
  byte[] toBytes(FlowRecord r) {
    at = 0;
    name(RECORD[0]);
    number(r.schemaVersion());
    string(RECORD[1], r.agent());
    string(RECORD[2], r.iface());
    string(RECORD[3], r.flowId());
    name(RECORD[4]);
    number(r.seq());
    name(RECORD[5]);
    raw(r.last() ? TRUE : FALSE);
    string(RECORD[6], r.endReason());
    instant(RECORD[7], r.firstSeen());
    instant(RECORD[8], r.lastSeen());
    integer(RECORD[9], r.vlan());
    integer(RECORD[10], r.outerVlan());
    strings(RECORD[11], r.encapsulation());
    name(RECORD[12]);
    number(r.ipVersion());
    string(RECORD[13], r.transport());
    string(RECORD[14], r.src());
    name(RECORD[15]);
    number(r.srcPort());
    string(RECORD[16], r.dst());
    name(RECORD[17]);
    number(r.dstPort());
    string(RECORD[18], r.initiator());
    counters(RECORD[19], r.srcToDst());
    counters(RECORD[20], r.dstToSrc());
    strings(RECORD[21], r.tcpFlags());
    string(RECORD[22], r.protocol());
    payload(RECORD[23], r.payload());
    stream(r.stream());
    ttl(r.ttl());
    ensure(1);
    out[at++] = '}';
    return Arrays.copyOf(out, at);
  }

  private void counters(byte[] name, Counters c) {
    name(name);
    if (c == null) {
      raw(NULL);
      return;
    }
    name(COUNTERS[0]);
    number(c.packets());
    name(COUNTERS[1]);
    number(c.bytes());
    name(COUNTERS[2]);
    number(c.payloadBytes());
    close();
  }

  private void payload(byte[] name, PayloadFeatures p) {
    name(name);
    if (p == null) {
      raw(NULL);
      return;
    }
    name(PAYLOAD[0]);
    number(p.sampledBytes());
    name(PAYLOAD[1]);
    number(p.entropy());
    name(PAYLOAD[2]);
    number(p.chiSquare());
    name(PAYLOAD[3]);
    number(p.zeroFraction());
    name(PAYLOAD[4]);
    number(p.printableFraction());
    string(PAYLOAD[5], p.signature() == null ? null : p.signature().wire());
    string(PAYLOAD[6], p.verdict() == null ? null : p.verdict().wire());
    string(PAYLOAD[7], p.reason());
    close();
  }

  private void stream(StreamEvidence s) {
    if (s == null) {
      return;
    }
    name(STREAM_NAME);
    name(STREAM[0]);
    raw(s.midStream() ? TRUE : FALSE);
    name(STREAM[1]);
    number(s.outOfWindowSegments());
    name(STREAM[2]);
    number(s.retransmittedSegments());
    name(STREAM[3]);
    number(s.gapBytes());
    name(STREAM[4]);
    number(s.cutSegments());
    if (s.continues() != null) {
      string(STREAM[5], s.continues());
    }
    close();
  }

  private void ttl(HopLimits t) {
    if (t == null) {
      return;
    }
    name(TTL_NAME);
    range(HOP_LIMITS[0], t.srcToDst());
    range(HOP_LIMITS[1], t.dstToSrc());
    close();
  }

  private void range(byte[] name, HopLimits.Range range) {
    name(name);
    if (range == null) {
      raw(NULL);
      return;
    }
    name(RANGE[0]);
    number(range.min());
    name(RANGE[1]);
    number(range.max());
    close();
  }

  private void string(byte[] name, String value) {
    name(name);
    if (value == null) {
      raw(NULL);
      return;
    }
    text(value);
  }

  /** An instant as {@link Instant#toString()} writes it, copied from {@link IsoInstant}'s bytes. */
  private void instant(byte[] name, Instant t) {
    int n = t == null ? -1 : instants.fill(t);
    if (n < 0) {
      string(name, t == null ? null : t.toString());
      return;
    }
    name(name);
    ensure(n + 2);
    out[at++] = '"';
    System.arraycopy(instants.text(), 0, out, at, n);
    at += n;
    out[at++] = '"';
  }

  private void integer(byte[] name, Integer value) {
    name(name);
    if (value == null) {
      raw(NULL);
    } else {
      number(value.intValue());
    }
  }

  private void strings(byte[] name, List<String> values) {
    name(name);
    if (values == null) {
      raw(NULL);
      return;
    }
    ensure(1);
    out[at++] = '[';
    for (int i = 0, n = values.size(); i < n; i++) {
      if (i > 0) {
        ensure(1);
        out[at++] = ',';
      }
      String v = values.get(i);
      if (v == null) {
        raw(NULL);
      } else {
        text(v);
      }
    }
    ensure(1);
    out[at++] = ']';
  }

  /** A quoted JSON string: plain printable ASCII as it is, anything else escaped by Jackson. */
  private void text(String value) {
    int n = value.length();
    ensure(n + 2);
    byte[] o = out; // locals: one table look a character, nothing re-read from fields
    int p = at;
    o[p++] = '"';
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c >= PLAIN.length || !PLAIN[c]) {
        at++; // past the opening quote
        escaped(value);
        ensure(1);
        out[at++] = '"';
        return;
      }
      o[p++] = (byte) c;
    }
    o[p++] = '"';
    at = p;
  }

  /**
   * Jackson's escapes and UTF-8; each UTF-16 surrogate as its own {@code \\uXXXX}, as the generator
   * writes them (it does not combine a pair into one UTF-8 character unless asked to).
   */
  private void escaped(String value) {
    JsonStringEncoder encoder = JsonStringEncoder.getInstance();
    int from = 0;
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      if (Character.isSurrogate(c)) {
        if (i > from) {
          raw(encoder.quoteAsUTF8(value.substring(from, i)));
        }
        ensure(6);
        out[at++] = '\\';
        out[at++] = 'u';
        for (int shift = 12; shift >= 0; shift -= 4) {
          out[at++] = (byte) HEX[(c >> shift) & 0xF];
        }
        from = i + 1;
      }
    }
    if (from < value.length()) {
      raw(encoder.quoteAsUTF8(value.substring(from)));
    }
  }

  private void number(long v) {
    if (v == Long.MIN_VALUE) {
      raw(LONG_MIN);
      return;
    }
    ensure(20);
    byte[] o = out;
    int p = at;
    if (v < 0) {
      o[p++] = '-';
      v = -v;
    }
    int end = p + digits(v);
    int i = end;
    while (v >= 100) { // two digits a division
      int pair = (int) (v % 100);
      v /= 100;
      o[--i] = DIGIT_PAIRS[2 * pair + 1];
      o[--i] = DIGIT_PAIRS[2 * pair];
    }
    if (v >= 10) {
      o[--i] = DIGIT_PAIRS[2 * (int) v + 1];
      o[--i] = DIGIT_PAIRS[2 * (int) v];
    } else {
      o[--i] = (byte) ('0' + v);
    }
    at = end;
  }

  /** Decimal digits of {@code v >= 0}, by comparison. */
  private static int digits(long v) {
    int d = 1;
    for (long bound = 10; d < 19 && v >= bound; bound *= 10) {
      d++;
    }
    return d;
  }

  /**
   * As Jackson's generator: {@link NumberOutput#toString(double, boolean)}, quoted when not finite.
   * The payload statistics the agent writes are rounded to four decimals; those are written here
   * without the two objects and two arrays a double cost through {@code NumberOutput}.
   */
  private void number(double v) {
    if (fastDoubles && fourDecimals(v)) {
      return;
    }
    String s = NumberOutput.toString(v, fastDoubles);
    boolean quoted = Double.isNaN(v) || Double.isInfinite(v);
    ensure(s.length() + 2);
    if (quoted) {
      out[at++] = '"';
    }
    for (int i = 0; i < s.length(); i++) {
      out[at++] = (byte) s.charAt(i);
    }
    if (quoted) {
      out[at++] = '"';
    }
  }

  /**
   * Writes {@code v} when it is a decimal of at most four places ({@code k / 10^4}) in the range
   * that shortest-digit output writes plainly (10^-3 to 10^7, and 0): then that decimal, trailing
   * zeros dropped, one fractional digit kept, is the shortest that rounds to {@code v} (any other
   * decimal of at most four places lies 10^-4 away, far beyond an ulp), so Schubfach writes exactly
   * it. False, and nothing written, for any other value.
   */
  private boolean fourDecimals(double v) {
    boolean zero = v == 0 && Double.doubleToRawLongBits(v) == 0; // -0.0 goes the general way
    if (!zero && !(v >= PLAIN_FROM && v < PLAIN_TO)) {
      return false;
    }
    long k = Math.round(v * TEN_THOUSAND);
    if (k / TEN_THOUSAND != v) {
      return false;
    }
    ensure(20);
    number(k / 10_000);
    out[at++] = '.';
    int fraction = (int) (k % 10_000);
    int places = 4;
    while (places > 1 && fraction % 10 == 0) {
      fraction /= 10;
      places--;
    }
    for (int i = at + places - 1; i >= at; i--) {
      out[i] = (byte) ('0' + fraction % 10);
      fraction /= 10;
    }
    at += places;
    return true;
  }

  private void close() {
    ensure(1);
    out[at++] = '}';
  }

  private void name(byte[] prefix) {
    raw(prefix);
  }

  private void raw(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, out, at, b.length);
    at += b.length;
  }

  private void ensure(int more) {
    if (at + more > out.length) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, at + more));
    }
  }

  /** {@code {"a":}, {@code ,"b":}, ...: each field's name with what comes before it. */
  private static byte[][] prefixes(List<String> names) {
    byte[][] p = new byte[names.size()][];
    for (int i = 0; i < p.length; i++) {
      p[i] = ascii((i == 0 ? "{" : ",") + "\"" + names.get(i) + "\":");
    }
    return p;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
