package io.migaudit.analyzer.policy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads one YAML document token by token into a tree, remembering the line of every field and list
 * element (a plain {@code JsonNode} tree forgets them). Refuses duplicate keys, aliases and more
 * than one document; syntax errors come back as one line with the line number.
 */
final class YamlTreeReader {
  /** {@code trustedHosts:} with no value means "none", as a null would. */
  private static final YAMLFactory YAML =
      YAMLFactory.builder().enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int FIRST_LINE = 1;

  private final String file;
  private final Map<String, Integer> lines = new HashMap<>();

  private YamlTreeReader(String file) {
    this.file = file;
  }

  /** The document in {@code text}; an empty document is an absent root. */
  static LocatedNode read(String file, String text) throws PolicyException {
    return new YamlTreeReader(file).readDocument(text);
  }

  private LocatedNode readDocument(String text) throws PolicyException {
    try (YAMLParser p = YAML.createParser(text)) {
      if (p.nextToken() == null) {
        return LocatedNode.missing(file, "", FIRST_LINE, lines);
      }
      int rootLine = line(p);
      JsonNode root = value(p, "");
      if (p.nextToken() != null) {
        throw new PolicyException(file + ":" + line(p) + ": only one YAML document is allowed");
      }
      return new LocatedNode(file, root, "", rootLine, lines);
    } catch (JsonProcessingException e) {
      throw new PolicyException(
          file
              + ":"
              + YamlSyntaxError.line(e)
              + ": YAML syntax error: "
              + YamlSyntaxError.problem(e),
          e);
    } catch (IOException e) {
      throw new PolicyException(file + ": cannot parse: " + e.getMessage(), e);
    }
  }

  private JsonNode value(YAMLParser p, String path) throws IOException, PolicyException {
    if (p.isCurrentAlias()) {
      throw new PolicyException(
          file
              + ":"
              + line(p)
              + ": "
              + (path.isEmpty() ? "" : path + ": ")
              + "YAML aliases (*"
              + p.getText()
              + ") are not supported; write the value out");
    }
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT:
        return mapping(p, path);
      case START_ARRAY:
        return list(p, path);
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        return NODES.numberNode(p.getBigIntegerValue());
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE:
      case VALUE_FALSE:
        return NODES.textNode(p.getText()); // no policy field is boolean: keep "off" as written
      default:
        return NODES.nullNode();
    }
  }

  private ObjectNode mapping(YAMLParser p, String path) throws IOException, PolicyException {
    ObjectNode o = NODES.objectNode();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      String childPath = path.isEmpty() ? name : path + "." + name;
      if (o.has(name)) {
        throw new PolicyException(
            file
                + ":"
                + line(p)
                + ": "
                + (path.isEmpty() ? "" : path + ": ")
                + "duplicate field \""
                + name
                + "\"");
      }
      lines.put(childPath, line(p));
      p.nextToken();
      o.set(name, value(p, childPath));
    }
    return o;
  }

  private ArrayNode list(YAMLParser p, String path) throws IOException, PolicyException {
    ArrayNode a = NODES.arrayNode();
    int i = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      String childPath = path + "[" + i++ + "]";
      lines.put(childPath, line(p));
      a.add(value(p, childPath));
    }
    return a;
  }

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }
}
