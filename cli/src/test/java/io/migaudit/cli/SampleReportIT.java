package io.migaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.migaudit.analyzer.rules.ControlCatalog;
import io.migaudit.cli.classify.SampleExpectation;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import nu.validator.client.EmbeddedValidator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The samples' compliance report, end to end: replay over samples/ (embedded Kafka), then {@code
 * report} over its alerts, events and flows files; the HTML page passes the Nu HTML Checker and
 * headless Chromium renders it. With {@code -Dmigaudit.reportPicture=FILE} the rendered PNG is
 * copied there (tools/report-picture.sh makes the README's picture this way).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SampleReportIT {
  static final int PICTURE_WIDTH = 900;
  static final int PICTURE_HEIGHT = 1500;
  private Path dir;
  private Path html;
  private String text;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = MigauditCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  @BeforeAll
  void replayAndReport(@TempDir Path tmp) {
    dir = tmp;
    Run replay =
        run(
            "replay",
            "--alerts",
            dir.resolve("alerts.jsonl").toString(),
            "--events",
            dir.resolve("events.jsonl").toString(),
            "--flows",
            dir.resolve("flows.jsonl").toString(),
            SampleExpectation.SAMPLES.toString());
    assertThat(replay.code).as(replay.err).isZero();
    html = dir.resolve("report.html");
    Run report =
        run(
            "report",
            "--html",
            html.toString(),
            dir.resolve("alerts.jsonl").toString(),
            dir.resolve("events.jsonl").toString(),
            dir.resolve("flows.jsonl").toString());
    assertThat(report.code).as(report.err).isZero();
    assertThat(report.err).as("replay's files are all alerts, events or flow records").isEmpty();
    text = report.out;
  }

  @Test
  void everyControlHasAState() {
    for (ControlCatalog.Control c : ControlCatalog.controls()) {
      assertThat(text)
          .containsPattern("\\n  (PASS|FAIL|NOT OBSERVED) +" + Pattern.quote(c.id()) + ": ");
    }
    assertThat(text)
        .contains("  FAIL         NIST SC-8: ")
        .contains("Observed migrations by protocol and verdict")
        .contains("replay: ")
        .containsPattern("period \\d{4}-");
  }

  @Test
  void htmlPassesTheNuHtmlChecker() throws Exception {
    EmbeddedValidator validator = new EmbeddedValidator();
    validator.setOutputFormat(EmbeddedValidator.OutputFormat.JSON);
    JsonNode result = new ObjectMapper().readTree(validator.validate(html));
    List<String> problems = new ArrayList<>();
    result
        .path("messages")
        .forEach(
            m -> {
              if (!"info".equals(m.path("type").asText())) {
                problems.add(
                    m.path("type").asText()
                        + " line "
                        + m.path("lastLine").asText()
                        + ": "
                        + m.path("message").asText());
              }
            });
    assertThat(result.has("messages")).isTrue();
    assertThat(problems).isEmpty();
  }

  @Test
  void headlessChromiumRendersTheSummaryTableAndCharts() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.require();
    String dom = chromium.dumpDom(html, dir);
    // every sample is a scenario that breaks something: the samples' controls all fail
    assertThat(dom)
        .contains("<table id=\"controls\">")
        .contains(">FAIL</td>")
        .contains("<svg")
        .doesNotContain("<script");
    assertThat(dom.indexOf("id=\"controls\"")).isLessThan(dom.indexOf("<svg"));
    Path png = dir.resolve("report.png");
    chromium.screenshot(html, png, PICTURE_WIDTH, PICTURE_HEIGHT, dir);
    String picture = System.getProperty("migaudit.reportPicture");
    if (picture != null && !picture.isBlank()) {
      Files.copy(png, Path.of(picture), StandardCopyOption.REPLACE_EXISTING);
    }
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(PICTURE_WIDTH);
    Set<Integer> colors = new HashSet<>();
    long ink = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        colors.add(rgb);
        ink += rgb == 0xffffff ? 0 : 1;
      }
    }
    assertThat(ink)
        .as("pixels that are not white")
        .isGreaterThan((long) PICTURE_WIDTH * PICTURE_HEIGHT / 50);
    assertThat(colors)
        .as("the FAIL cells' and the charts' colours are drawn")
        .contains(0xffcdd2, 0x2e7d32, 0xc62828);
  }

  @Test
  void thePagePrintsToPdf() throws Exception {
    HeadlessChromium chromium = HeadlessChromium.require();
    Path pdf = dir.resolve("report.pdf");
    chromium.printToPdf(html, pdf, dir);
    byte[] bytes = Files.readAllBytes(pdf);
    assertThat(new String(bytes, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    long pages = Pattern.compile("/Type\\s*/Page[^s]").matcher(text).results().count();
    assertThat(pages).as("A4 pages of the report").isGreaterThanOrEqualTo(2);
  }

  /** The OCSF export validates line by line, and names exactly the alerts' ids. */
  @Test
  void ocsfExportValidatesAndKeepsTheAlertIds() throws Exception {
    Run ocsf =
        run(
            "report",
            "--format",
            "ocsf",
            dir.resolve("alerts.jsonl").toString(),
            dir.resolve("events.jsonl").toString());
    assertThat(ocsf.code).as(ocsf.err).isZero();
    JsonSchema schema = ocsfSchema();
    ObjectMapper json = new ObjectMapper();
    Set<String> detectionIds = new HashSet<>();
    int compliance = 0;
    for (String line : ocsf.out.split("\n")) {
      JsonNode f = json.readTree(line);
      assertThat(schema.validate(f)).as(line).isEmpty();
      if (f.get("class_uid").asInt() == 2004) {
        detectionIds.add(f.at("/finding_info/uid").asText());
      } else {
        compliance++;
      }
    }
    assertThat(compliance).isEqualTo(ControlCatalog.controls().size());
    Set<String> alertIds = new HashSet<>();
    for (String line : Files.readAllLines(dir.resolve("alerts.jsonl"))) {
      alertIds.add(json.readTree(line).get("alertId").asText());
    }
    assertThat(detectionIds).isEqualTo(alertIds).isNotEmpty();
  }

  /**
   * replay --alerts-format ocsf writes valid Detection Findings with the ids replay gives its
   * alerts.
   */
  @Test
  void replayWritesOcsfAlertsWithTheSameIds() throws Exception {
    Path sample = SampleExpectation.SAMPLES.resolve("vmotion-plaintext");
    Path plain = dir.resolve("one.jsonl");
    Path ocsf = dir.resolve("one.ocsf.jsonl");
    String policy = SampleExpectation.SAMPLES.resolve("policy.yaml").toString();
    assertThat(
            run("replay", "--policy", policy, "--alerts", plain.toString(), sample.toString()).code)
        .isZero();
    assertThat(
            run(
                    "replay",
                    "--policy",
                    policy,
                    "--alerts",
                    ocsf.toString(),
                    "--alerts-format",
                    "ocsf",
                    sample.toString())
                .code)
        .isZero();
    ObjectMapper json = new ObjectMapper();
    JsonSchema schema = ocsfSchema();
    List<String> ids = new ArrayList<>();
    for (String line : Files.readAllLines(ocsf)) {
      JsonNode f = json.readTree(line);
      assertThat(schema.validate(f)).isEmpty();
      ids.add(f.at("/finding_info/uid").asText());
    }
    List<String> expected = new ArrayList<>();
    for (String line : Files.readAllLines(plain)) {
      expected.add(json.readTree(line).get("alertId").asText());
    }
    assertThat(ids).isNotEmpty().containsExactlyInAnyOrderElementsOf(expected);
  }

  /**
   * The OCSF schema subset bundled with the analyzer's tests (its source and version are inside).
   */
  static JsonSchema ocsfSchema() throws IOException {
    try (var in =
        Files.newInputStream(
            Path.of(
                "..",
                "analyzer",
                "src",
                "test",
                "resources",
                "ocsf",
                "findings-1.3.0-subset.schema.json"))) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
          .getSchema(in, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
    }
  }
}
