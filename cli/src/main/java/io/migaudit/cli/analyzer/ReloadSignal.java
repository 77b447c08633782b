package io.migaudit.cli.analyzer;

import io.migaudit.analyzer.policy.PolicyReloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP re-reads the policy ({@code systemctl reload migaudit-analyzer}). {@code sun.misc.Signal}
 * (module jdk.unsupported) is the only way a Java program handles a signal; without the handler
 * SIGHUP would end the JVM. The reload runs on the JVM's signal thread and takes milliseconds.
 */
final class ReloadSignal {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);
  static final String HANGUP = "HUP";

  private ReloadSignal() {}

  /**
   * From now on, SIGHUP makes {@code reloader} re-read its file (replacing any earlier handler).
   */
  static void install(PolicyReloader reloader) {
    try {
      SignalHandler before = Signal.handle(new Signal(HANGUP), signal -> reloader.reload("SIGHUP"));
      if (before == SignalHandler.SIG_IGN) {
        // HotSpot installs no handler for a SIGHUP its parent ignored (nohup): it stays ignored
        LOG.warn(
            "SIGHUP is ignored by this process (started under nohup?): the policy is reloaded on"
                + " file changes only");
      }
    } catch (IllegalArgumentException e) {
      // the JVM keeps SIGHUP for itself (-Xrs): reloads come from file changes only
      LOG.warn(
          "SIGHUP cannot be handled ({}); the policy is reloaded on file changes only",
          e.getMessage());
    }
  }
}
