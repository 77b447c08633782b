package io.migaudit.analyzer.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node of a parsed YAML document that still knows where it came from (file, line and field path),
 * so every complaint about it can name all three in one line.
 */
final class LocatedNode {
  private final String file;
  private final JsonNode node;
  private final String path;
  private final int line;
  private final Map<String, Integer> lines;

  LocatedNode(String file, JsonNode node, String path, int line, Map<String, Integer> lines) {
    this.file = file;
    this.node = node;
    this.path = path;
    this.line = line;
    this.lines = lines;
  }

  JsonNode node() {
    return node;
  }

  String path() {
    return path;
  }

  /** True when the field is absent or written without a value ({@code trustedHosts:}). */
  boolean isAbsent() {
    return node.isMissingNode() || node.isNull();
  }

  /** The named field of this mapping; absent fields are located at the mapping itself. */
  LocatedNode field(String name) {
    String childPath = path.isEmpty() ? name : path + "." + name;
    JsonNode child = node.path(name);
    return new LocatedNode(file, child, childPath, lines.getOrDefault(childPath, line), lines);
  }

  /** The field names of this mapping, in file order. */
  List<String> fieldNames() {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The elements of this list. */
  List<LocatedNode> elements() {
    List<LocatedNode> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      String childPath = path + "[" + i + "]";
      int elementLine = lines.getOrDefault(childPath, line);
      out.add(new LocatedNode(file, node.get(i), childPath, elementLine, lines));
    }
    return out;
  }

  /** How the value reads in a message: quoted text, a bare number, or its kind for containers. */
  String shown() {
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    return node.toString();
  }

  /** {@code file:line: path: message}. */
  PolicyException error(String message) {
    return new PolicyException(
        file + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message);
  }

  /** A complaint about a field name of this mapping, located at that field's line. */
  PolicyException fieldError(String name, String message) {
    String childPath = path.isEmpty() ? name : path + "." + name;
    return new PolicyException(
        file
            + ":"
            + lines.getOrDefault(childPath, line)
            + ": "
            + (path.isEmpty() ? "" : path + ": ")
            + message);
  }

  static LocatedNode missing(String file, String path, int line, Map<String, Integer> lines) {
    return new LocatedNode(file, MissingNode.getInstance(), path, line, lines);
  }
}
