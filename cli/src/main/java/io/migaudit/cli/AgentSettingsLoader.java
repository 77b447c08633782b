package io.migaudit.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.migaudit.agent.source.CaptureBackend;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads {@code migaudit agent --config FILE}: a YAML mapping whose keys are {@link AgentSettings}'
 * components. Unknown keys, values of the wrong type and out-of-range values become a {@link UserError}
 * of one line naming the file, the line and the key. Relative paths ({@code read}, {@code kafkaConfig})
 * are resolved against the file's directory.
 */
final class AgentSettingsLoader {
  /** Agent configs are a dozen lines; anything larger is the wrong file. */
  private static final long MAX_FILE_BYTES = 1024 * 1024;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

  /** The file's shape: paths stay text until they are resolved against the file's directory. */
  private record FileSettings(String agentId, List<String> interfaces, List<String> read, String bootstrapServers,
      String kafkaConfig, String metricsAddress, Integer snaplen, Boolean promiscuous, Integer bufferSize,
      String bpfExtra, String captureBackend) {}

  private AgentSettingsLoader() {}

  /** The settings {@code file} gives; null components are the ones it leaves out. */
  static AgentSettings.Overrides load(Path file) throws UserError {
    String text = read(file);
    if (text.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#") || l.equals("---"))) {
      return AgentSettings.Overrides.none();
    }
    FileSettings s;
    try {
      s = YAML.readValue(text, FileSettings.class);
    } catch (JsonProcessingException e) {
      throw error(file, text, e);
    }
    if (s == null) {
      return AgentSettings.Overrides.none();
    }
    Path dir = file.toAbsolutePath().getParent();
    AgentSettings.Overrides o = new AgentSettings.Overrides(s.agentId(), s.interfaces(),
        s.read() == null ? null : s.read().stream().map(dir::resolve).toList(), s.bootstrapServers(),
        s.kafkaConfig() == null ? null : dir.resolve(s.kafkaConfig()), s.metricsAddress(), s.snaplen(),
        s.promiscuous(), s.bufferSize(), s.bpfExtra(), backend(file, text, s.captureBackend()));
    var problem = AgentSettings.defaults().with(o).problem();
    if (problem.isPresent()) {
      String key = problem.get().key();
      throw new UserError(file + ":" + lineOf(text, key) + ": " + key + ": " + problem.get().message());
    }
    return o;
  }

  private static CaptureBackend backend(Path file, String text, String name) throws UserError {
    try {
      return name == null ? null : CaptureBackend.parse(name);
    } catch (IllegalArgumentException e) {
      throw new UserError(file + ":" + lineOf(text, "captureBackend") + ": captureBackend: " + e.getMessage(), e);
    }
  }

  private static String read(Path file) throws UserError {
    try {
      if (Files.isDirectory(file)) {
        throw new UserError(file + ": is a directory, not an agent config file");
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new UserError(file + ": larger than " + MAX_FILE_BYTES + " bytes; not an agent config file");
      }
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UserError(file + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new UserError(file + ": permission denied", e);
    } catch (CharacterCodingException e) {
      throw new UserError(file + ": not UTF-8 text", e);
    } catch (IOException e) {
      throw new UserError(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  private static UserError error(Path file, String text, JsonProcessingException e) {
    MarkedYAMLException syntax = cause(e, MarkedYAMLException.class);
    if (syntax != null) {
      int line = syntax.getProblemMark() == null ? 1 : syntax.getProblemMark().getLine() + 1;
      return new UserError(file + ":" + line + ": not valid YAML: " + firstLine(syntax.getProblem()), e);
    }
    if (e instanceof UnrecognizedPropertyException u) {
      String known = u.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
      return new UserError(file + ":" + lineOf(text, u.getPropertyName()) + ": unknown key \""
          + u.getPropertyName() + "\" (known: " + known + ")", e);
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty() && m.getPath().get(0).getFieldName() != null) {
      String where = file + ":" + lineOf(text, m.getPath().get(0).getFieldName()) + ": " + key(m) + ": ";
      if (e instanceof InvalidFormatException f) {
        return new UserError(where + "\"" + f.getValue() + "\" is not " + kind(f.getTargetType()), e);
      }
      if (e instanceof MismatchedInputException f && f.getTargetType() != null) {
        return new UserError(where + "expected " + kind(f.getTargetType()), e);
      }
      return new UserError(where + firstLine(m.getOriginalMessage()), e);
    }
    JsonLocation at = e.getLocation();
    String where = file + ":" + (at == null ? 1 : Math.max(1, at.getLineNr())) + ": ";
    if (e instanceof MismatchedInputException) {
      return new UserError(where + "expected a mapping of agent settings (agentId: ..., interfaces: [...], ...)", e);
    }
    return new UserError(where + "not valid YAML: " + firstLine(e.getOriginalMessage()), e);
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** {@code interfaces[1]} from Jackson's reference path. */
  private static String key(JsonMappingException m) {
    StringBuilder key = new StringBuilder();
    for (JsonMappingException.Reference r : m.getPath()) {
      if (r.getFieldName() != null) {
        key.append(key.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        key.append('[').append(r.getIndex()).append(']');
      }
    }
    return key.toString();
  }

  private static String kind(Class<?> type) {
    if (type == Integer.class || type == int.class) {
      return "a whole number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "a " + type.getSimpleName().toLowerCase(Locale.ROOT);
  }

  private static String firstLine(String message) {
    String m = message == null ? "" : message.strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** The line of a top-level key (the file is one flat mapping), or 1 when it cannot be found. */
  static int lineOf(String text, String key) {
    Matcher m = Pattern.compile("^[\"']?" + Pattern.quote(key) + "[\"']?\\s*:", Pattern.MULTILINE).matcher(text);
    if (!m.find()) {
      return 1;
    }
    return (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
  }
}
