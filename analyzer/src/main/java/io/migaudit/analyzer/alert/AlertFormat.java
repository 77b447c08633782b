package io.migaudit.analyzer.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.migaudit.record.Alert;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * How alerts are written as JSON lines: {@code migaudit} (the {@link Alert} contract) or {@code
 * ocsf} (one OCSF Detection Finding per alert, {@link OcsfFinding}).
 */
public enum AlertFormat {
  MIGAUDIT,
  OCSF;

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
    return this == MIGAUDIT ? io.migaudit.record.RecordJson.toLine(a) : ocsfLine(a);
  }

  /** The OCSF Detection Finding of {@code a} as one JSON line. */
  public static String ocsfLine(Alert a) {
    try {
      return JSON.writeValueAsString(FINDINGS.detection(a));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonLines apply(JsonLines lines) {
    return this == MIGAUDIT ? lines : lines.renderedBy(r -> line((Alert) r));
  }
}
