package io.migaudit.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written flow record writer gives the mapper's bytes exactly, or is not used at all. */
class FlowRecordWriterTest {
  private static final int RANDOM_RECORDS = 20_000;

  @Test
  void writerMatchesTheMappersProperties() {
    assertThat(RecordJson.flowRecordWriterMismatch())
        .as("FlowRecordWriter must list every FlowRecord property; add new fields to it")
        .isNull();
  }

  @Test
  void goldenRecordIsWrittenByteForByteAsTheMapperWritesIt() throws Exception {
    FlowRecord r = RecordJsonTest.sample();
    assertThat(new String(RecordJson.toBytes(r), StandardCharsets.UTF_8))
        .isEqualTo(new String(RecordJson.mapperBytes(r), StandardCharsets.UTF_8));
    assertThat(RecordJson.toLine(r))
        .isEqualTo(new String(RecordJson.mapperBytes(r), StandardCharsets.UTF_8));
  }

  @Test
  void randomRecordsAreWrittenByteForByteAsTheMapperWritesThem() throws Exception {
    Random random = new Random(8);
    for (int i = 0; i < RANDOM_RECORDS; i++) {
      FlowRecord r = randomRecord(random);
      String expected = new String(RecordJson.mapperBytes(r), StandardCharsets.UTF_8);
      assertThat(new String(RecordJson.toBytes(r), StandardCharsets.UTF_8))
          .as("record %d", i)
          .isEqualTo(expected);
    }
  }

  /**
   * The statistics the agent rounds to four places, and their neighbours, as the mapper writes
   * them.
   */
  @Test
  void fourDecimalStatisticsAreWrittenAsTheMapperWritesThem() throws Exception {
    Random random = new Random(10_000);
    double[] edges = {
      0.0,
      -0.0,
      0.001,
      0.0009,
      0.0011,
      0.0001,
      9_999_999.9999,
      1e7,
      1e7 - 0.5,
      8.0,
      255.0,
      0.5,
      0.1,
      0.3,
      2.675,
      100.0001,
      1234567.0001,
      4_294_967_296.0001,
      -0.25,
      -5.1234
    };
    PayloadFeatures base = RecordJsonTest.sample().payload();
    for (int i = 0; i < 50_000; i++) {
      double[] v = new double[4];
      for (int j = 0; j < 4; j++) {
        v[j] =
            switch (random.nextInt(5)) {
              case 0 -> edges[random.nextInt(edges.length)];
              case 1 -> Math.round(random.nextDouble() * 80_000) / 10_000.0; // entropy
              case 2 -> Math.round(random.nextDouble() * 1e11) / 10_000.0; // chi-square
              case 3 -> Math.round(random.nextDouble() * 10_000) / 10_000.0; // a fraction
              default -> Math.nextUp(Math.round(random.nextDouble() * 1e8) / 10_000.0);
            };
      }
      FlowRecord r =
          RecordJsonTest.sample(
              new PayloadFeatures(
                  base.sampledBytes(),
                  v[0],
                  v[1],
                  v[2],
                  v[3],
                  base.signature(),
                  base.verdict(),
                  base.reason()));
      assertThat(new String(RecordJson.toBytes(r), StandardCharsets.UTF_8))
          .as("%s", java.util.Arrays.toString(v))
          .isEqualTo(new String(RecordJson.mapperBytes(r), StandardCharsets.UTF_8));
    }
  }

  @Test
  void streamEvidenceAndTtlRangesAreWrittenByHandAsTheMapperWritesThem() throws Exception {
    FlowRecord r =
        RecordJsonTest.sample()
            .withStream(new StreamEvidence(true, 3, 0, 1 << 20, 7))
            .withPath(new HopLimits(new HopLimits.Range(60, 64), null), null);
    String written = new String(RecordJson.toBytes(r), StandardCharsets.UTF_8);
    assertThat(written)
        .contains(
            "\"stream\":{\"midStream\":true,\"outOfWindowSegments\":3,"
                + "\"retransmittedSegments\":0,\"gapBytes\":1048576,\"cutSegments\":7}")
        .contains("\"ttl\":{\"srcToDst\":{\"min\":60,\"max\":64},\"dstToSrc\":null}")
        .isEqualTo(new String(RecordJson.mapperBytes(r), StandardCharsets.UTF_8));
    assertThat(RecordJson.flowRecord(written.getBytes(StandardCharsets.UTF_8))).isEqualTo(r);
    FlowRecordWriter writer = new FlowRecordWriter(RecordJson.mapperBuilder().build());
    assertThat(writer.handWrittenTail()).containsExactly("stream", "ttl");
    assertThat(writer.wholeByHand())
        .as("records without Kerberos or handshake: no Jackson")
        .isTrue();
  }

  @Test
  void aContinuedConnectionIsWrittenAsTheMapperWritesItAndReadBack() throws Exception {
    String first = "0123456789abcdef01234567";
    FlowRecord r =
        RecordJsonTest.sample().withStream(new StreamEvidence(false, 4, 0, 0, 0).continuing(first));
    String written = new String(RecordJson.toBytes(r), StandardCharsets.UTF_8);
    assertThat(written)
        .contains("\"cutSegments\":0,\"continues\":\"" + first + "\"}")
        .isEqualTo(new String(RecordJson.mapperBytes(r), StandardCharsets.UTF_8));
    assertThat(RecordJson.flowRecord(written.getBytes(StandardCharsets.UTF_8)).stream().continues())
        .isEqualTo(first);
    FlowRecord mapped = RecordJsonTest.kerberosSample().withStream(r.stream());
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(mapped)).stream()).isEqualTo(r.stream());
    assertThat(new StreamEvidence(false, 0, 0, 0, 0).continuing(first).unremarkable())
        .as("a continued connection is always said")
        .isFalse();
  }

  @Test
  void aRoutedTunnelIsWrittenAsTheMapperWritesItAndReadBack() throws Exception {
    FlowRecord r =
        RecordJsonTest.sample()
            .withStream(new StreamEvidence(false, 0, 2, 0, 0))
            .withTunnel(new Tunnel("ip-in-ip", List.of("10.10.0.11", "10.10.0.12"), null));
    FlowRecord tagged = r.withTunnel(new Tunnel("gre", List.of("fd00::1", "fd00::2"), 50));

    String written = new String(RecordJson.toBytes(r), StandardCharsets.UTF_8);

    assertThat(written)
        .endsWith(
            ",\"tunnel\":{\"kind\":\"ip-in-ip\",\"endpoints\":[\"10.10.0.11\",\"10.10.0.12\"]}}")
        .isEqualTo(new String(RecordJson.mapperBytes(r), StandardCharsets.UTF_8));
    assertThat(RecordJson.flowRecord(written.getBytes(StandardCharsets.UTF_8))).isEqualTo(r);
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(tagged))).isEqualTo(tagged);
    assertThat(new String(RecordJson.toBytes(tagged), StandardCharsets.UTF_8))
        .contains("\"vlan\":50}");
    assertThat(new String(RecordJson.toBytes(RecordJsonTest.sample()), StandardCharsets.UTF_8))
        .as("a flow in no routed tunnel")
        .doesNotContain("tunnel");
  }

  @Test
  void anOverlaySegmentsVniIsWrittenAsTheMapperWritesItAndReadBack() throws Exception {
    FlowRecord r = RecordJsonTest.sample().withStream(new StreamEvidence(false, 0, 1, 0, 0));
    FlowRecord overlay = r.withVni(5000);
    FlowRecord both =
        overlay.withTunnel(new Tunnel("gre", List.of("10.10.0.11", "10.10.0.12"), null));

    String written = new String(RecordJson.toBytes(overlay), StandardCharsets.UTF_8);

    assertThat(written)
        .endsWith(",\"vni\":5000}")
        .isEqualTo(new String(RecordJson.mapperBytes(overlay), StandardCharsets.UTF_8));
    assertThat(RecordJson.flowRecord(written.getBytes(StandardCharsets.UTF_8))).isEqualTo(overlay);
    assertThat(RecordJson.flowRecord(RecordJson.toBytes(both))).isEqualTo(both);
    assertThat(new String(RecordJson.toBytes(r), StandardCharsets.UTF_8))
        .as("a flow in no overlay")
        .doesNotContain("vni")
        .isEqualTo(new String(RecordJson.mapperBytes(r), StandardCharsets.UTF_8));
  }

  @Test
  void instantsAreFormattedAsInstantToString() {
    Random random = new Random(9);
    List<Instant> instants =
        new ArrayList<>(
            List.of(
                Instant.EPOCH,
                Instant.ofEpochSecond(-1),
                Instant.ofEpochSecond(-62_167_219_200L),
                Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-01-01T00:00:00Z"),
                Instant.MIN,
                Instant.MAX));
    for (int i = 0; i < 100_000; i++) {
      instants.add(randomInstant(random));
    }
    IsoInstant iso = new IsoInstant();
    for (Instant t : instants) {
      assertThat(iso.format(t)).isEqualTo(t.toString());
      if (t.isBefore(Instant.MAX)) {
        Instant next = t.plusSeconds(1);
        assertThat(iso.format(next)).as("the second after %s", t).isEqualTo(next.toString());
      }
    }
  }

  @Test
  void consecutiveRecordsOnOneThreadAreSeparateDocuments() throws Exception {
    FlowRecord r = RecordJsonTest.sample();
    byte[] first = RecordJson.toBytes(r);
    byte[] second = RecordJson.toBytes(r);
    assertThat(second).isEqualTo(first).isEqualTo(RecordJson.mapperBytes(r));
    assertThat(RecordJson.flowRecord(second)).isEqualTo(r);
  }

  /** A property the writer does not list, as a field added to FlowRecord later would be. */
  abstract static class WithTotalBytes {
    @JsonProperty("totalBytes")
    abstract long totalBytes();

    @JsonProperty("catalogProtocol")
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    abstract boolean hasCatalogProtocol();
  }

  @Test
  void propertiesAfterTheListedOnesAreWrittenByTheMapper() throws Exception {
    ObjectMapper extended =
        RecordJson.mapperBuilder().addMixIn(FlowRecord.class, WithTotalBytes.class).build();
    FlowRecordWriter writer = new FlowRecordWriter(extended);
    assertThat(writer.mismatch()).isNull();
    assertThat(writer.wholeByHand()).as("a property it does not know: through Jackson").isFalse();
    FlowRecord withProtocol = RecordJsonTest.sample();
    FlowRecord without = withProtocol.withProtocol(null);
    for (FlowRecord r : List.of(withProtocol, without)) {
      String expected = extended.writeValueAsString(r);
      assertThat(expected).contains("\"totalBytes\":");
      assertThat(new String(writer.toBytes(r), StandardCharsets.UTF_8)).isEqualTo(expected);
    }
    assertThat(extended.writeValueAsString(without)).doesNotContain("catalogProtocol");
  }

  @Test
  void aMapperThatOmitsNullsDisablesTheWriter() {
    ObjectMapper nonNull =
        RecordJson.mapperBuilder().serializationInclusion(JsonInclude.Include.NON_NULL).build();
    assertThat(new FlowRecordWriter(nonNull).mismatch()).contains("NON_NULL");
  }

  @Test
  void aMapperThatNamesFieldsOtherwiseDisablesTheWriter() {
    JsonMapper snake =
        JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    assertThat(new FlowRecordWriter(snake).mismatch())
        .contains("FlowRecord has properties")
        .contains("schema_version");
  }

  private static FlowRecord randomRecord(Random r) {
    FlowRecord record = randomCore(r);
    if (r.nextBoolean()) {
      record =
          record.withStream(
              new StreamEvidence(
                  r.nextBoolean(), r.nextLong(), r.nextInt(100), r.nextLong(), r.nextInt(9)));
    }
    if (r.nextBoolean()) {
      record =
          record.withPath(
              new HopLimits(nullable(r, range(r)), nullable(r, range(r))), record.handshake());
    }
    return record;
  }

  private static HopLimits.Range range(Random r) {
    return new HopLimits.Range(r.nextInt(256), r.nextInt(256));
  }

  private static FlowRecord randomCore(Random r) {
    Instant first = randomInstant(r);
    return new FlowRecord(
        SchemaVersion.CURRENT,
        text(r),
        nullable(r, text(r)),
        text(r),
        r.nextLong(),
        r.nextBoolean(),
        nullable(r, text(r)),
        first,
        nullable(r, randomInstant(r)),
        nullable(r, r.nextInt(4096)),
        nullable(r, r.nextInt(4096)),
        r.nextBoolean() ? List.of() : List.of("ethernet", text(r)),
        r.nextBoolean() ? 4 : 6,
        text(r),
        text(r),
        r.nextInt(65536),
        text(r),
        r.nextInt(65536),
        text(r),
        nullable(r, new Counters(r.nextLong(), r.nextInt(), 0)),
        new Counters(0, r.nextLong(), r.nextLong()),
        r.nextBoolean() ? List.of("SYN", "ACK") : List.of(),
        nullable(r, text(r)),
        nullable(
            r,
            new PayloadFeatures(
                r.nextInt(1 << 20),
                number(r),
                number(r),
                number(r),
                number(r),
                Signature.values()[r.nextInt(Signature.values().length)],
                Verdict.values()[r.nextInt(Verdict.values().length)],
                text(r))));
  }

  private static <T> T nullable(Random r, T value) {
    return r.nextInt(5) == 0 ? null : value;
  }

  /** Round numbers, fractions, huge and tiny values, and the non-finite ones. */
  private static double number(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> Math.round(r.nextDouble() * 80_000) / 10_000.0;
      case 1 -> r.nextDouble() * 1e9;
      case 2 -> r.nextDouble() * 1e-9;
      case 3 -> r.nextInt(1000);
      case 4 ->
          new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.0, Double.MAX_VALUE}[r.nextInt(4)];
      default -> r.nextDouble();
    };
  }

  /** Text with quotes, backslashes, control characters, non-ASCII and surrogate pairs. */
  private static String text(Random r) {
    String pool = "abcXYZ 0189.:-_\"\\/\n\t\u0001\u001f\u007f\u00e9\u20ac\u2028\ud83d\ude00<>&'";
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(30); i > 0; i--) {
      int at = r.nextInt(pool.length());
      char c = pool.charAt(at);
      if (Character.isHighSurrogate(c)) {
        sb.append(c).append(pool.charAt(at + 1));
      } else if (!Character.isLowSurrogate(c)) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static Instant randomInstant(Random r) {
    long seconds =
        switch (r.nextInt(4)) {
          case 0 -> 1_700_000_000L + r.nextInt(100_000_000);
          case 1 -> r.nextLong() % 253_402_300_799L; // years 1 BCE .. 9999
          case 2 -> -r.nextInt(Integer.MAX_VALUE);
          default -> 253_402_300_800L + r.nextInt(1_000_000_000); // five-digit years
        };
    int nano =
        switch (r.nextInt(4)) {
          case 0 -> 0;
          case 1 -> r.nextInt(1000) * 1_000_000;
          case 2 -> r.nextInt(1_000_000) * 1000;
          default -> r.nextInt(1_000_000_000);
        };
    return Instant.ofEpochSecond(seconds, nano);
  }
}
