package io.migaudit.analyzer.rules;

import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.Alert;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.RuleId;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Severity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds alerts with the fields every rule fills the same way (including the controls of {@link
 * ControlCatalog}), and their shared wording.
 */
final class AlertFactory {
  private AlertFactory() {}

  static Alert create(
      RuleId rule,
      Severity severity,
      FlowRecord r,
      Policy policy,
      Map<String, Object> evidence,
      String message) {
    return new Alert(
        SchemaVersion.CURRENT,
        FlowId.alertId(rule, r.connectionId()),
        rule,
        severity,
        r.protocol(),
        r.src(),
        r.srcPort(),
        r.dst(),
        r.dstPort(),
        r.vlan(),
        r.agent(),
        r.iface(),
        r.flowId(),
        r.firstSeen(),
        r.lastSeen(),
        policy.encryption().wire(),
        evidence,
        message,
        ControlCatalog.controlsOf(rule),
        null);
  }

  /** Evidence from alternating keys and values, in order; null values are left out. */
  static Map<String, Object> evidence(Object... keysAndValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      if (keysAndValues[i + 1] != null) {
        out.put((String) keysAndValues[i], keysAndValues[i + 1]);
      }
    }
    return out;
  }

  /**
   * {@code "192.168.50.11 -> 192.168.50.12:8000"}; IPv6 responders in brackets, no port for ESP.
   */
  static String path(FlowRecord r) {
    return r.src() + " -> " + endpoint(r.dst(), r.dstPort());
  }

  /**
   * The way a migration's memory went: {@link #path} when the host that opened the connection sent
   * it; {@code "192.168.50.12:5000 -> 192.168.50.11 through a connection 192.168.50.11 opened"}
   * when the memory flowed back to that host ({@link MemoryDirection}).
   */
  static String migrationPath(FlowRecord r) {
    if (!MemoryDirection.of(r).pulled()) {
      return path(r);
    }
    return endpoint(r.dst(), r.dstPort())
        + " -> "
        + r.src()
        + " through a connection "
        + r.src()
        + " opened";
  }

  /** {@code "192.168.50.12:8000"}, {@code "[fd00:50::12]:8000"}, or the bare address for port 0. */
  static String endpoint(String address, int port) {
    if (port == 0) {
      return address;
    }
    boolean ipv6 = address != null && address.indexOf(':') >= 0;
    return (ipv6 ? "[" + address + "]" : address) + ":" + port;
  }
}
