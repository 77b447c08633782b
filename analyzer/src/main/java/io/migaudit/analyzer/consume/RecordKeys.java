package io.migaudit.analyzer.consume;

import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import io.migaudit.record.RecordKey;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The agents' record keys an analyzer checks {@code migaudit.flows} with: with them, a value is
 * judged (or a heartbeat counted) only when it carries the HMAC of the key of the agent it names,
 * so that a record forged onto the topic by anyone without that key is counted and skipped ({@link
 * AnalyzerMetrics#OUTCOME_UNSIGNED}, {@link AnalyzerMetrics#OUTCOME_BAD_SIGNATURE}). A directory
 * holds one file per agent, {@code AGENT_ID.key} ({@link RecordKey#read}).
 */
public final class RecordKeys {
  private static final String SUFFIX = ".key";

  private final Map<String, RecordKey> byAgent;

  public RecordKeys(Map<String, RecordKey> byAgent) {
    if (byAgent.isEmpty()) {
      throw new IllegalArgumentException("no record keys");
    }
    this.byAgent = Map.copyOf(byAgent);
  }

  /** The keys in {@code dir}: one {@code AGENT_ID.key} file per agent, at least one. */
  public static RecordKeys load(Path dir) throws IOException {
    Map<String, RecordKey> keys = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        keys.put(name.substring(0, name.length() - SUFFIX.length()), RecordKey.read(f));
      }
    } catch (NoSuchFileException e) {
      throw new IOException(dir + ": no such directory", e);
    } catch (NotDirectoryException e) {
      throw new IOException(dir + ": not a directory of AGENT_ID.key files", e);
    }
    if (keys.isEmpty()) {
      throw new IOException(dir + ": no AGENT_ID" + SUFFIX + " file in it");
    }
    return new RecordKeys(keys);
  }

  /** Why a value was refused: the outcome it is counted as, and a line for the log. */
  public record Refusal(String outcome, String why) {}

  /** The agents that have a key. */
  public Set<String> agents() {
    return byAgent.keySet();
  }

  /** Null when {@code mac} is the HMAC of {@code value} under {@code agent}'s key. */
  public Refusal refusal(String agent, byte[] value, byte[] mac) {
    String who = "a value of agent \"" + agent + "\"";
    if (mac == null) {
      return new Refusal(AnalyzerMetrics.OUTCOME_UNSIGNED, who + " without a signature");
    }
    RecordKey key = byAgent.get(agent);
    if (key == null) {
      return new Refusal(AnalyzerMetrics.OUTCOME_BAD_SIGNATURE, who + ", which has no key here");
    }
    return key.verifies(value, mac)
        ? null
        : new Refusal(
            AnalyzerMetrics.OUTCOME_BAD_SIGNATURE, who + " whose signature is not its key's");
  }
}
