package io.migaudit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every PromQL expression shipped in {@code dashboards/}: the targets and template-variable queries
 * of each Grafana dashboard, and the alerting rules. Test support for the checks that run them.
 */
final class DashboardExpressions {
  static final Path DASHBOARDS = Path.of("..", "dashboards");
  static final Path RULES = DASHBOARDS.resolve("prometheus").resolve("migaudit-rules.yml");
  static final Path RULE_TESTS =
      DASHBOARDS.resolve("prometheus").resolve("migaudit-rules.test.yml");
  static final Path PROMETHEUS_CONFIG = DASHBOARDS.resolve("prometheus").resolve("prometheus.yml");

  /** What Grafana substitutes, as the checks substitute it: every template variable is "All". */
  static final String RATE_INTERVAL = "1m";

  static final String RANGE = "15m";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^label_values\\((.*),\\s*([a-zA-Z_]\\w*)\\)$");
  private static final Pattern STRING =
      Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
  private static final Set<String> KEYWORDS =
      Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)");

  /**
   * One expression and where it comes from.
   *
   * @param source file and panel, variable or alert, for failure messages
   * @param promql the expression with Grafana's variables substituted
   */
  record Expression(String source, String promql) {
    @Override
    public String toString() {
      return source;
    }
  }

  /** An alerting rule: its name and expression. */
  record AlertRule(String alert, String expr) {}

  private DashboardExpressions() {}

  static List<Path> dashboardFiles() throws IOException {
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
    }
  }

  static JsonNode readDashboard(Path file) throws IOException {
    return JSON.readTree(file.toFile());
  }

  /** Every target expression and every template-variable query of every dashboard. */
  static List<Expression> dashboardExpressions() throws IOException {
    List<Expression> out = new ArrayList<>();
    for (Path file : dashboardFiles()) {
      JsonNode board = readDashboard(file);
      String name = file.getFileName().toString();
      for (JsonNode panel : panels(board)) {
        for (JsonNode target : panel.path("targets")) {
          out.add(
              new Expression(
                  name
                      + " panel \""
                      + panel.path("title").asText()
                      + "\" "
                      + target.path("refId").asText(),
                  substitute(target.path("expr").asText())));
        }
      }
      for (JsonNode variable : board.path("templating").path("list")) {
        if (variable.path("type").asText().equals("query")) {
          out.add(
              new Expression(
                  name + " variable $" + variable.path("name").asText(),
                  variableQuery(variable.path("query").path("query").asText())));
        }
      }
    }
    return out;
  }

  /** Panels of a dashboard, those inside collapsed rows included. */
  static List<JsonNode> panels(JsonNode board) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : board.path("panels")) {
      out.add(p);
      p.path("panels").forEach(out::add);
    }
    return out;
  }

  static List<AlertRule> rules() throws IOException {
    List<AlertRule> out = new ArrayList<>();
    for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        out.add(
            new AlertRule(
                rule.path("alert").asText(rule.path("record").asText()),
                rule.path("expr").asText()));
      }
    }
    return out;
  }

  static List<Expression> ruleExpressions() throws IOException {
    return rules().stream()
        .map(r -> new Expression("migaudit-rules.yml alert " + r.alert(), r.expr()))
        .toList();
  }

  /**
   * Grafana's {@code label_values(selector, label)} as PromQL that returns one series per value:
   * the query Grafana itself sends to list the variable's values.
   */
  static String variableQuery(String query) {
    Matcher m = LABEL_VALUES.matcher(query.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("unsupported variable query: " + query);
    }
    return "count by (" + m.group(2) + ") (" + substitute(m.group(1)) + ")";
  }

  /**
   * Substitutes Grafana's variables: intervals by fixed durations, template variables by ".*"
   * (All).
   */
  static String substitute(String expr) {
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String value =
          switch (name) {
            case "__rate_interval", "__interval" -> RATE_INTERVAL;
            case "__range" -> RANGE;
            default -> ".*";
          };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The metric names an expression reads (not functions, keywords, label names or values). */
  static Set<String> metricNames(String promql) {
    String s = STRING.matcher(promql).replaceAll("\"\"");
    s = s.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
    s = GROUPING.matcher(s).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      if (!KEYWORDS.contains(m.group(1).toLowerCase())) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** The label names an expression groups by ({@code by (...)}, {@code without (...)}, ...). */
  static Set<String> groupingLabels(String promql) {
    Set<String> labels = new TreeSet<>();
    Matcher m = GROUPING.matcher(STRING.matcher(promql).replaceAll("\"\""));
    while (m.find()) {
      for (String l : m.group(2).split(",")) {
        if (!l.isBlank()) {
          labels.add(l.trim());
        }
      }
    }
    return labels;
  }

  /**
   * The signal of an alert expression: what stands left of its last top-level comparison with a
   * number ({@code x > 0} gives {@code x}), or the whole expression when it has none.
   */
  static String signal(String promql) {
    int depth = 0;
    boolean quoted = false;
    int cut = -1;
    for (int i = 0; i < promql.length(); i++) {
      char c = promql.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && (c == '(' || c == '{' || c == '[')) {
        depth++;
      } else if (!quoted && (c == ')' || c == '}' || c == ']')) {
        depth--;
      } else if (!quoted
          && depth == 0
          && (c == '>'
              || c == '<'
              || (c == '=' || c == '!')
                  && i + 1 < promql.length()
                  && promql.charAt(i + 1) == '=')) {
        cut = i;
      }
    }
    if (cut < 0) {
      return promql;
    }
    String rest = promql.substring(cut).replaceFirst("^(>=|<=|==|!=|>|<)\\s*", "").trim();
    return rest.matches("[0-9.eE+-]+") ? promql.substring(0, cut).trim() : promql;
  }

  /** Labels an expression must never group by or match on: unbounded values (DESIGN, "Metrics"). */
  static final Set<String> UNBOUNDED_LABELS =
      Set.of(
          "src",
          "dst",
          "src_port",
          "dst_port",
          "srcPort",
          "dstPort",
          "flow_id",
          "flowId",
          "address",
          "host",
          "alert_id",
          "alertId");
}
