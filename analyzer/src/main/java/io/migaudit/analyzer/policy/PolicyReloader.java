package io.migaudit.analyzer.policy;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import io.migaudit.analyzer.metrics.AnalyzerMetrics;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the policy file on request ({@link #reload}, e.g. on SIGHUP) and, once {@link #watch} is
 * called, when the file changes. A valid policy whose text differs from the one in force is handed
 * to {@code apply} (a {@code RuleEngineHolder} swaps it in between batches); a policy that cannot
 * be read or checked is rejected with one log line naming the file and line, and the one in force
 * stays. Both are counted ({@link AnalyzerMetrics#POLICY_RELOADS}).
 *
 * <p>The watcher watches the file's directory, not the file, so editors that write a new file and
 * rename it over the old one are seen, as are Kubernetes ConfigMap symlink swaps (when the policy
 * path is a symlink, every change in its directory is checked). Events are debounced: the file is
 * read once they have been quiet for {@code quietPeriod}. A change that leaves the text as it was
 * (a touch, an unrelated file) does nothing, and the same broken text is rejected only once.
 */
public final class PolicyReloader implements AutoCloseable {
  /** Quiet time after the last file event before the file is read. */
  public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMillis(500);

  private static final Logger LOG = LoggerFactory.getLogger(PolicyReloader.class);

  /** What one reload did. */
  public enum Outcome {
    APPLIED,
    REJECTED,
    UNCHANGED
  }

  private final Path file;
  private final Consumer<Policy> apply;
  private final AnalyzerMetrics metrics;
  private final Clock clock;

  /** Digest of the policy in force. */
  private String loadedDigest;

  /** Digest (or problem) of the last text read, applied or not: the watcher's "nothing new". */
  private String lastRead;

  private WatchService watchService;
  private Thread watcher;

  /**
   * @param file the policy file, named as the user gave it
   * @param loaded the policy in force, read from {@code file}
   * @param apply receives each newly applied policy (from the caller of {@link #reload} or the
   *     watcher thread)
   */
  public PolicyReloader(
      Path file,
      DigestedPolicy loaded,
      Consumer<Policy> apply,
      AnalyzerMetrics metrics,
      Clock clock) {
    this.file = Objects.requireNonNull(file);
    this.apply = Objects.requireNonNull(apply);
    this.metrics = metrics;
    this.clock = clock;
    this.loadedDigest = loaded.sha256();
    this.lastRead = loaded.sha256();
    metrics.policyReload(AnalyzerMetrics.RELOAD_APPLIED, 0);
    metrics.policyReload(AnalyzerMetrics.RELOAD_REJECTED, 0);
    metrics.policyLoaded(clock.instant());
  }

  /**
   * Reads the file now, as asked by {@code trigger} (named in the log); a rejected text is counted
   * again even if it was rejected before, since someone asked.
   */
  public Outcome reload(String trigger) {
    return reload(trigger, false);
  }

  private synchronized Outcome reload(String trigger, boolean onlyIfNew) {
    DigestedPolicy next;
    try {
      next = PolicyLoader.loadDigested(file);
    } catch (PolicyException e) {
      String problem = "problem:" + e.getMessage();
      if (onlyIfNew && problem.equals(lastRead)) {
        return Outcome.UNCHANGED;
      }
      lastRead = problem;
      metrics.policyReload(AnalyzerMetrics.RELOAD_REJECTED, 1);
      LOG.error(
          "policy reload ({}) rejected, keeping policy {}: {}",
          trigger,
          shortDigest(loadedDigest),
          e.getMessage());
      return Outcome.REJECTED;
    }
    lastRead = next.sha256();
    if (next.sha256().equals(loadedDigest)) {
      if (!onlyIfNew) {
        LOG.warn(
            "policy reload ({}): {} is unchanged (policy {}), nothing to do",
            trigger,
            file,
            next.shortDigest());
      }
      return Outcome.UNCHANGED;
    }
    apply.accept(next.policy());
    metrics.policyReload(AnalyzerMetrics.RELOAD_APPLIED, 1);
    metrics.policyLoaded(clock.instant());
    LOG.warn(
        "policy reload ({}): applied {} (policy {}, was {}; encryption {}, {} trusted hosts, {} zones)"
            + " from the next batch",
        trigger,
        file,
        next.shortDigest(),
        shortDigest(loadedDigest),
        next.policy().encryption(),
        next.policy().trustedHosts().size(),
        next.policy().zones().size());
    loadedDigest = next.sha256();
    return Outcome.APPLIED;
  }

  /**
   * Starts a daemon thread that reloads the policy when its file changes, once events have been
   * quiet for {@code quietPeriod}.
   *
   * @throws IOException when the directory cannot be watched
   */
  public synchronized void watch(Duration quietPeriod) throws IOException {
    if (watcher != null) {
      throw new IllegalStateException("already watching " + file);
    }
    Path dir = file.toAbsolutePath().getParent();
    watchService = dir.getFileSystem().newWatchService();
    dir.register(watchService, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
    WatchService ws = watchService;
    watcher = new Thread(() -> watchLoop(ws, quietPeriod), "migaudit-policy-watch");
    watcher.setDaemon(true);
    watcher.start();
    LOG.info("watching {} for changes to {}", dir, file.getFileName());
  }

  private void watchLoop(WatchService ws, Duration quietPeriod) {
    try {
      while (true) {
        boolean relevant = relevant(ws.take());
        WatchKey more;
        while ((more = ws.poll(quietPeriod.toNanos(), TimeUnit.NANOSECONDS)) != null) {
          relevant |= relevant(more);
        }
        if (relevant) {
          reload("file change", true);
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      LOG.debug("stopped watching {}", file);
    } catch (RuntimeException e) {
      LOG.error(
          "stopped watching {} for changes (SIGHUP still reloads it): {}", file, e.toString(), e);
    }
  }

  /** True when the key's events may have changed the policy's text; resets the key. */
  private boolean relevant(WatchKey key) {
    boolean relevant = false;
    boolean symlink = Files.isSymbolicLink(file);
    Path name = file.getFileName();
    for (WatchEvent<?> event : key.pollEvents()) {
      relevant |= event.kind() == OVERFLOW || symlink || name.equals(event.context());
    }
    if (!key.reset()) {
      LOG.error(
          "the directory of {} can no longer be watched (removed?); SIGHUP still reloads it", file);
    }
    return relevant;
  }

  private static String shortDigest(String sha256) {
    return sha256.substring(0, 12);
  }

  /** Stops watching (a reload in progress finishes). */
  @Override
  public void close() throws IOException {
    Thread t;
    synchronized (this) {
      t = watcher;
      if (watchService != null) {
        watchService.close();
      }
    }
    if (t != null) {
      t.interrupt();
    }
  }
}
