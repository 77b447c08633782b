package io.migaudit.analyzer.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migaudit.record.Alert;
import io.migaudit.record.RecordJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How alerts are written as JSON lines: {@code migaudit} (the {@link Alert} contract) or {@code
 * ocsf} (one OCSF Detection Finding per alert, {@link OcsfFinding}).
 */
public enum AlertFormat {
  MIGAUDIT,
  OCSF;

  private static final String ALERTS = "alerts";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OcsfFinding FINDINGS =
      new OcsfFinding(AlertFormat.class.getPackage().getImplementationVersion());

  /** {@code migaudit} or {@code ocsf}, any case. */
  public static AlertFormat parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT));
  }

  /** The wire name, as the options spell it. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The JSON line of one alert in this format. */
  public String line(Alert a) {
    return this == MIGAUDIT ? RecordJson.toLine(a) : ocsfLine(a);
  }

  /** The OCSF Detection Finding of {@code a} as one JSON line. */
  public static String ocsfLine(Alert a) {
    try {
      return JSON.writeValueAsString(FINDINGS.detection(a));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new or emptied file of alerts in this format (the replay command's {@code --alerts}). */
  public JsonLinesSink<Alert> create(Path file) throws IOException {
    return JsonLinesSink.<Alert>create(file, ALERTS).renderedBy(this::line);
  }

  /** A file kept across restarts, alerts in this format added at its end. */
  public JsonLinesSink<Alert> append(Path file) throws IOException {
    return JsonLinesSink.<Alert>append(file, ALERTS).renderedBy(this::line);
  }

  /** Alerts in this format to {@code out}, e.g. standard output. */
  public JsonLinesSink<Alert> to(Writer out) {
    return JsonLinesSink.<Alert>to(out, ALERTS).renderedBy(this::line);
  }
}
