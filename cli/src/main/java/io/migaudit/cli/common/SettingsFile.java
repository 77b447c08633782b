package io.migaudit.cli.common;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
 * One service's {@code --config FILE} (agent, analyzer): a flat YAML mapping read into a record
 * whose components are the keys. Unknown keys, values of the wrong type and values a service finds
 * out of range ({@link #error}) become a {@link UserError} of one line naming the file, the line
 * and the key. Relative paths are resolved against the file's directory ({@link #resolve}).
 */
public final class SettingsFile {
  /** Service configs are a dozen lines; anything larger is the wrong file. */
  private static final long MAX_FILE_BYTES = 1024 * 1024;

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

  /** A value out of range, named by its key. */
  public record Problem(String key, String message) {}

  private final Path file;
  private final String text;
  private final String service;

  private SettingsFile(Path file, String text, String service) {
    this.file = file;
    this.text = text;
    this.service = service;
  }

  /** Reads {@code file}, the settings of {@code service} ("agent", "analyzer"), for messages. */
  public static SettingsFile read(Path file, String service) throws UserError {
    try {
      if (Files.isDirectory(file)) {
        throw new UserError(file + ": is a directory, not an " + service + " config file");
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new UserError(
            file
                + ": larger than "
                + MAX_FILE_BYTES
                + " bytes; not an "
                + service
                + " config file");
      }
      return new SettingsFile(file, Files.readString(file), service);
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

  /**
   * The file's mapping as {@code shape}, or null when it sets nothing (empty, or only comments).
   *
   * @param example the start of a valid mapping, for the complaint about a file that is not one
   */
  public <T> T bind(Class<T> shape, String example) throws UserError {
    if (text.lines()
        .map(String::strip)
        .allMatch(l -> l.isEmpty() || l.startsWith("#") || l.equals("---"))) {
      return null;
    }
    try {
      return YAML.readValue(text, shape);
    } catch (JsonProcessingException e) {
      throw error(e, example);
    }
  }

  /** {@code path} as the file gives it, resolved against the file's directory; null stays null. */
  public Path resolve(String path) {
    return path == null ? null : file.toAbsolutePath().getParent().resolve(path);
  }

  /** A complaint about the value of top-level {@code key}, naming the file and the key's line. */
  public UserError error(String key, String message) {
    return new UserError(file + ":" + lineOf(text, key) + ": " + key + ": " + message);
  }

  private UserError error(JsonProcessingException e, String example) {
    MarkedYAMLException syntax = cause(e, MarkedYAMLException.class);
    if (syntax != null) {
      int line = syntax.getProblemMark() == null ? 1 : syntax.getProblemMark().getLine() + 1;
      return new UserError(
          file + ":" + line + ": not valid YAML: " + firstLine(syntax.getProblem()), e);
    }
    if (e instanceof UnrecognizedPropertyException u) {
      String known =
          u.getKnownPropertyIds().stream()
              .map(Object::toString)
              .sorted()
              .collect(Collectors.joining(", "));
      return new UserError(
          file
              + ":"
              + lineOf(text, u.getPropertyName())
              + ": unknown key \""
              + u.getPropertyName()
              + "\" (known: "
              + known
              + ")",
          e);
    }
    if (e instanceof JsonMappingException m
        && !m.getPath().isEmpty()
        && m.getPath().get(0).getFieldName() != null) {
      String where =
          file + ":" + lineOf(text, m.getPath().get(0).getFieldName()) + ": " + key(m) + ": ";
      if (e instanceof InvalidFormatException f) {
        return new UserError(
            where + "\"" + f.getValue() + "\" is not " + kind(f.getTargetType()), e);
      }
      if (e instanceof MismatchedInputException f && f.getTargetType() != null) {
        return new UserError(where + "expected " + kind(f.getTargetType()), e);
      }
      return new UserError(where + firstLine(m.getOriginalMessage()), e);
    }
    JsonLocation at = e.getLocation();
    String where = file + ":" + (at == null ? 1 : Math.max(1, at.getLineNr())) + ": ";
    if (e instanceof MismatchedInputException) {
      return new UserError(
          where + "expected a mapping of " + service + " settings (" + example + ")", e);
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
    Matcher m =
        Pattern.compile("^[\"']?" + Pattern.quote(key) + "[\"']?\\s*:", Pattern.MULTILINE)
            .matcher(text);
    if (!m.find()) {
      return 1;
    }
    return (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
  }

  /** True for {@code HOST:PORT} with a port 0-65535 (the host is checked when it is bound). */
  public static boolean isHostPort(String address) {
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      return false;
    }
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      return port >= 0 && port <= 65535;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
