package io.migaudit.analyzer.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Turns a YAML parser failure into a line number and a one-line problem statement. */
final class YamlSyntaxError {
  private YamlSyntaxError() {}

  /** The 1-based line of the problem (1 when the parser does not say). */
  static int line(JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
      Mark mark = m.getProblemMark();
      return mark.getLine() + 1;
    }
    JsonLocation loc = e.getLocation();
    return loc == null || loc.getLineNr() < 1 ? 1 : loc.getLineNr();
  }

  /** What is wrong, on one line, with the construct being parsed when the parser knows it. */
  static String problem(JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException m && m.getProblem() != null) {
      String context = m.getContext() == null ? "" : " (" + oneLine(m.getContext()) + ")";
      return oneLine(m.getProblem()) + context;
    }
    String message = e.getOriginalMessage();
    if (message == null) {
      return "unreadable YAML";
    }
    return oneLine(message.lines().findFirst().orElse(message));
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }
}
