package io.migaudit.cli;

import io.migaudit.analyzer.policy.PolicyReloader;
import sun.misc.Signal;

/**
 * SIGHUP re-reads the policy ({@code systemctl reload migaudit-analyzer}). {@code sun.misc.Signal}
 * (module jdk.unsupported) is the only way a Java program handles a signal; without the handler
 * SIGHUP would end the JVM. The reload runs on the JVM's signal thread and takes milliseconds.
 */
final class ReloadSignal {
  static final String HANGUP = "HUP";

  private ReloadSignal() {}

  /** From now on, SIGHUP makes {@code reloader} re-read its file (replacing any earlier handler). */
  static void install(PolicyReloader reloader) {
    Signal.handle(new Signal(HANGUP), signal -> reloader.reload("SIGHUP"));
  }
}
