package io.migaudit.analyzer.rules;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.migaudit.analyzer.policy.Cidr;
import io.migaudit.analyzer.policy.EncryptionMode;
import io.migaudit.analyzer.policy.MigrationNetwork;
import io.migaudit.analyzer.policy.Policy;
import io.migaudit.record.FlowId;
import io.migaudit.record.FlowRecord;
import io.migaudit.record.PortCatalog;
import io.migaudit.record.RecordJson;
import io.migaudit.record.SchemaVersion;
import io.migaudit.record.Signature;
import io.migaudit.record.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** In-memory flow records and policies for tests, shaped like samples/policy.yaml. */
public final class Flows {
  public static final Instant T0 = Instant.parse("2025-03-01T10:00:00.000001Z");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Flows() {}

  public static Builder flow(String src, String dst, int dstPort) {
    return new Builder(src, dst, dstPort);
  }

  /** samples/policy.yaml with the given mode. */
  public static Policy samplePolicy(EncryptionMode mode) {
    return new Policy(
        mode,
        List.of(
            new MigrationNetwork("vmotion", cidrs("192.168.50.0/24", "fd00:50::/64"), List.of(50)),
            new MigrationNetwork("live-migration", cidrs("10.66.0.0/24"), List.of(66))),
        cidrs(
            "192.168.50.11",
            "192.168.50.12",
            "10.66.0.21",
            "10.66.0.22",
            "10.10.0.11",
            "10.10.0.12",
            "fd00:50::11",
            "fd00:50::12"),
        PortCatalog.builtIn());
  }

  /** A policy of one migration network on 192.168.50.0/24, no trusted hosts, mode required. */
  public static Policy oneNetwork(List<Integer> vlans, List<Integer> vnis) {
    return new Policy(
        EncryptionMode.REQUIRED,
        List.of(new MigrationNetwork("vmotion", cidrs("192.168.50.0/24"), vlans, vnis)),
        List.of(),
        PortCatalog.builtIn());
  }

  public static Policy samplePolicy() {
    return samplePolicy(EncryptionMode.REQUIRED);
  }

  public static List<Cidr> cidrs(String... texts) {
    return Arrays.stream(texts).map(t -> Cidr.parse(t).orElseThrow()).toList();
  }

  /** A record under construction; defaults: tcp, untagged, verdict unknown, first record. */
  public static final class Builder {
    private final String src;
    private final String dst;
    private final int dstPort;
    private String transport = "tcp";
    private int srcPort = 51000;
    private Integer vlan;
    private String protocol;
    private Verdict verdict = Verdict.UNKNOWN;
    private Signature signature = Signature.NONE;
    private String reason = "too few bytes sampled";
    private long seq;
    private boolean last;
    private long bytes = 1000;
    private long payloadToDst = -1;
    private long payloadToSrc = -1;
    private long seconds = -1;
    private String agent = "esx-a";
    private String tunnelKind;
    private String[] tunnelEndpoints;
    private Integer tunnelVlan;
    private Integer vni;

    private Builder(String src, String dst, int dstPort) {
      this.src = src;
      this.dst = dst;
      this.dstPort = dstPort;
    }

    public Builder transport(String t) {
      transport = t;
      if (!t.equals("tcp") && !t.equals("udp")) {
        srcPort = 0;
      }
      return this;
    }

    public Builder srcPort(int p) {
      srcPort = p;
      return this;
    }

    public Builder vlan(Integer v) {
      vlan = v;
      return this;
    }

    /** The VXLAN / Geneve segment the frames travelled in. */
    public Builder vni(Integer v) {
      vni = v;
      return this;
    }

    public Builder protocol(String p) {
      protocol = p;
      return this;
    }

    public Builder verdict(Verdict v, String why) {
      verdict = v;
      reason = why;
      return this;
    }

    public Builder signature(Signature s) {
      signature = s;
      return this;
    }

    public Builder seq(long s) {
      seq = s;
      return this;
    }

    public Builder last() {
      last = true;
      return this;
    }

    /** Bytes of both directions so far (split 3:1 between the directions). */
    public Builder bytes(long b) {
      bytes = b;
      return this;
    }

    /** Payload bytes each direction carried (default: half the initiator's bytes, none back). */
    public Builder payload(long toDst, long toSrc) {
      payloadToDst = toDst;
      payloadToSrc = toSrc;
      return this;
    }

    /** Seconds from the first to the last packet (default: seq + 1). */
    public Builder lasting(long s) {
      seconds = s;
      return this;
    }

    public Builder agent(String a) {
      agent = a;
      return this;
    }

    /** The routed tunnel the flow travelled in (record field {@code tunnel}). */
    public Builder tunnel(String kind, Integer outerVlan, String... endpoints) {
      tunnelKind = kind;
      tunnelVlan = outerVlan;
      tunnelEndpoints = endpoints;
      return this;
    }

    /**
     * The record, read through {@link RecordJson} like one from Kafka. Going through JSON keeps
     * this fixture independent of the record's constructor while the schema gains fields.
     */
    public FlowRecord build() {
      try {
        return RecordJson.flowRecord(json().toString().getBytes(StandardCharsets.UTF_8));
      } catch (RecordJson.MalformedRecordException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The record's JSON object, for tests that feed raw Kafka values. */
    public ObjectNode json() {
      ObjectNode o = JSON.objectNode();
      o.put("schemaVersion", SchemaVersion.CURRENT)
          .put("agent", agent)
          .put("interface", "vmk1")
          .put("flowId", FlowId.of(transport, src, srcPort, dst, dstPort, vlan, T0))
          .put("seq", seq)
          .put("last", last)
          .put("endReason", last ? "fin" : null)
          .put("firstSeen", T0.toString())
          .put("lastSeen", T0.plusSeconds(seconds >= 0 ? seconds : seq + 1).toString())
          .put("vlan", vlan)
          .putNull("outerVlan")
          .put("ipVersion", src.indexOf(':') >= 0 ? 6 : 4)
          .put("transport", transport)
          .put("src", src)
          .put("srcPort", srcPort)
          .put("dst", dst)
          .put("dstPort", dstPort)
          .put("initiator", "syn")
          .put("protocol", protocol);
      o.putArray("encapsulation").add("ethernet");
      o.putArray("tcpFlags").add("SYN").add("ACK");
      long toDst = bytes * 3 / 4;
      counters(o.putObject("srcToDst"), 10, toDst, payloadToDst >= 0 ? payloadToDst : toDst / 2);
      counters(o.putObject("dstToSrc"), 5, bytes - toDst, Math.max(0, payloadToSrc));
      boolean random = verdict == Verdict.ENCRYPTED;
      o.putObject("payload")
          .put("sampledBytes", 4096)
          .put("entropy", random ? 7.95 : 3.1)
          .put("chiSquare", random ? 260.0 : 90000.0)
          .put("zeroFraction", 0.4)
          .put("printableFraction", 0.3)
          .put("signature", signature.wire())
          .put("verdict", verdict.wire())
          .put("reason", reason);
      if (vni != null) {
        o.put("vni", vni);
      }
      if (tunnelKind != null) {
        ObjectNode t = o.putObject("tunnel").put("kind", tunnelKind);
        for (String e : tunnelEndpoints) {
          t.withArray("endpoints").add(e);
        }
        if (tunnelVlan != null) {
          t.put("vlan", tunnelVlan);
        }
      }
      return o;
    }

    private static void counters(ObjectNode c, long packets, long bytes, long payloadBytes) {
      c.put("packets", packets).put("bytes", bytes).put("payloadBytes", payloadBytes);
    }
  }
}
