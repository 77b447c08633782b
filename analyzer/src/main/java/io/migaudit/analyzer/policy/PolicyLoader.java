package io.migaudit.analyzer.policy;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Loads a {@link Policy} from a YAML file (docs/DESIGN.md, "Policy"). Every problem, from a missing
 * file to a misspelt field, becomes a {@link PolicyException} with a one-line message naming the
 * file, the line and the field. Omitted fields take their defaults: encryption {@code required},
 * empty lists.
 */
public final class PolicyLoader {
  /** Policies are a few lines; anything larger is the wrong file. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private PolicyLoader() {}

  /** Reads and checks the policy in {@code file}; messages name the file as given. */
  public static Policy load(Path file) throws PolicyException {
    return parse(file.toString(), read(file));
  }

  /**
   * Reads and checks the policy in {@code file} and digests the text it came from, so that a reload
   * can tell a changed file from a touched one.
   */
  public static DigestedPolicy loadDigested(Path file) throws PolicyException {
    String text = read(file);
    return new DigestedPolicy(parse(file.toString(), text), DigestedPolicy.sha256(text));
  }

  /** The text of {@code file}, or a one-line problem naming it. */
  static String read(Path file) throws PolicyException {
    String name = file.toString();
    try {
      if (Files.isDirectory(file)) {
        throw new PolicyException(name + ": is a directory, not a policy file");
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new PolicyException(
            name + ": larger than " + MAX_FILE_BYTES + " bytes, not a policy file");
      }
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new PolicyException(name + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new PolicyException(name + ": permission denied", e);
    } catch (CharacterCodingException e) {
      throw new PolicyException(name + ": not UTF-8 text", e);
    } catch (IOException e) {
      throw new PolicyException(name + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Checks the policy in {@code yaml}; {@code fileName} only labels messages. */
  public static Policy parse(String fileName, String yaml) throws PolicyException {
    return PolicyBinder.bind(YamlTreeReader.read(fileName, yaml));
  }
}
