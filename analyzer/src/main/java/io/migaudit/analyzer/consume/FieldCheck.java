package io.migaudit.analyzer.consume;

import io.migaudit.record.Counters;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.KerberosActivity;
import io.migaudit.record.KerberosRequest;
import io.migaudit.record.PayloadFeatures;
import java.time.Instant;
import java.util.List;

/**
 * Checks every field of a flow record before the rules see it: JSON binding accepts a record that
 * omits fields (they become null), nulls inside lists, out-of-range numbers and very long strings,
 * and anyone who can write to the topic may send such a record. Each problem is a one-line reason;
 * a record with one is counted and skipped, never judged.
 */
final class FieldCheck {
  /** Longest text field taken (addresses, agent and interface names, labels). */
  static final int MAX_TEXT_CHARS = 255;

  /** Longest payload reason taken: a sentence the agent writes (real ones stay under 300). */
  static final int MAX_REASON_CHARS = 2048;

  /** Longest list taken (encapsulation layers, TCP flags): real records carry under ten. */
  static final int MAX_LIST_SIZE = 32;

  private static final int MAX_PORT = 65_535;
  private static final int MAX_VLAN = 4_095;
  private static final int MAX_VNI = (1 << 24) - 1;

  /** A cut name ends with "...", after at most {@link KerberosRequest#MAX_NAME_CHARS}. */
  private static final int MAX_KERBEROS_NAME = KerberosRequest.MAX_NAME_CHARS + 3;

  private static final double MAX_ENTROPY_BITS = 8.0;

  /**
   * The capture times a record may carry: from the Unix epoch, where every capture clock starts
   * (pcap's seconds are unsigned), to the last instant with a four-digit year. Outside, a time
   * comes from a forger, and arithmetic on it (event durations, rates) would overflow.
   */
  static final Instant FIRST_CAPTURE_TIME = Instant.EPOCH;

  static final Instant LAST_CAPTURE_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");

  private FieldCheck() {}

  /** The first problem of {@code r}, or null when every field is usable. */
  static String problem(FlowRecord r) {
    String p = missing(r);
    if (p != null) {
      return "flow record without " + p;
    }
    p =
        firstNonNull(
            text("agent", r.agent()),
            text("interface", r.iface()),
            text("flowId", r.flowId()),
            text("transport", r.transport()),
            text("src", r.src()),
            text("dst", r.dst()),
            text("initiator", r.initiator()),
            text("protocol", r.protocol()),
            text("endReason", r.endReason()),
            list("encapsulation", r.encapsulation()),
            list("tcpFlags", r.tcpFlags()));
    if (p != null) {
      return p;
    }
    p =
        firstNonNull(
            range("srcPort", r.srcPort(), 0, MAX_PORT),
            range("dstPort", r.dstPort(), 0, MAX_PORT),
            r.vlan() == null ? null : range("vlan", r.vlan(), 0, MAX_VLAN),
            r.outerVlan() == null ? null : range("outerVlan", r.outerVlan(), 0, MAX_VLAN),
            r.vni() == null ? null : range("vni", r.vni(), 0, MAX_VNI),
            r.ipVersion() == 4 || r.ipVersion() == 6
                ? null
                : "ipVersion " + r.ipVersion() + " is neither 4 nor 6",
            r.seq() < 0 ? "seq " + r.seq() + " is negative" : null,
            time("firstSeen", r.firstSeen()),
            time("lastSeen", r.lastSeen()),
            r.lastSeen().isBefore(r.firstSeen()) ? "lastSeen is before firstSeen" : null,
            counters("srcToDst", r.srcToDst()),
            counters("dstToSrc", r.dstToSrc()),
            payload(r.payload()));
    return p != null ? p : firstNonNull(kerberos(r.kerberos()), EvidenceCheck.problem(r));
  }

  private static String time(String field, Instant t) {
    if (t.isBefore(FIRST_CAPTURE_TIME)) {
      return field + " " + t + " is before " + FIRST_CAPTURE_TIME;
    }
    return t.isAfter(LAST_CAPTURE_TIME) ? field + " " + t + " is after the year 9999" : null;
  }

  private static String missing(FlowRecord r) {
    if (r.flowId() == null) {
      return "flowId";
    }
    if (r.transport() == null) {
      return "transport";
    }
    if (r.src() == null) {
      return "src";
    }
    if (r.dst() == null) {
      return "dst";
    }
    if (r.firstSeen() == null) {
      return "firstSeen";
    }
    if (r.lastSeen() == null) {
      return "lastSeen";
    }
    if (r.srcToDst() == null) {
      return "srcToDst";
    }
    return r.dstToSrc() == null ? "dstToSrc" : null;
  }

  /** Null when the Kerberos requests (if any) are complete and bounded, else the problem. */
  static String kerberos(KerberosActivity k) {
    if (k == null) {
      return null;
    }
    if (k.requests().size() > KerberosActivity.MAX_REQUESTS) {
      return "kerberos: "
          + k.requests().size()
          + " requests, more than "
          + KerberosActivity.MAX_REQUESTS;
    }
    for (KerberosRequest q : k.requests()) {
      String p =
          q == null
              ? "kerberos: a null request"
              : q.type() == null
                  ? "kerberos request without type"
                  : q.service() == null
                      ? "kerberos request without service"
                      : q.realm() == null
                          ? "kerberos request without realm"
                          : q.service().length() > MAX_KERBEROS_NAME
                                  || q.realm().length() > MAX_KERBEROS_NAME
                                  || q.type().length() > MAX_TEXT_CHARS
                              ? "kerberos request with a name over "
                                  + MAX_KERBEROS_NAME
                                  + " characters"
                              : null;
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  private static String payload(PayloadFeatures p) {
    if (p == null) {
      return null;
    }
    boolean bad =
        p.sampledBytes() < 0
            || !(p.entropy() >= 0 && p.entropy() <= MAX_ENTROPY_BITS)
            || !(p.chiSquare() >= 0)
            || !fraction(p.zeroFraction())
            || !fraction(p.printableFraction());
    if (bad) {
      return "payload features out of range";
    }
    return p.reason() != null && p.reason().length() > MAX_REASON_CHARS
        ? "payload.reason of " + p.reason().length() + " characters, more than " + MAX_REASON_CHARS
        : null;
  }

  private static boolean fraction(double f) {
    return f >= 0 && f <= 1;
  }

  private static String counters(String name, Counters c) {
    return c.packets() < 0 || c.bytes() < 0 || c.payloadBytes() < 0
        ? name + " has a negative counter"
        : null;
  }

  static String text(String name, String value) {
    return value != null && value.length() > MAX_TEXT_CHARS
        ? name + " of " + value.length() + " characters, more than " + MAX_TEXT_CHARS
        : null;
  }

  static String list(String name, List<String> values) {
    if (values.size() > MAX_LIST_SIZE) {
      return name + " of " + values.size() + " entries, more than " + MAX_LIST_SIZE;
    }
    for (String v : values) {
      String p = v == null ? name + " with a null entry" : text(name, v);
      if (p != null) {
        return p;
      }
    }
    return null;
  }

  static String range(String name, int value, int min, int max) {
    return value < min || value > max
        ? name + " " + value + " is outside " + min + "-" + max
        : null;
  }

  static String firstNonNull(String... problems) {
    for (String p : problems) {
      if (p != null) {
        return p;
      }
    }
    return null;
  }
}
