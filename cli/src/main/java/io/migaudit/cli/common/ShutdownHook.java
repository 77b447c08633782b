package io.migaudit.cli.common;

/**
 * A JVM shutdown hook (SIGTERM, Ctrl-C) for the time a service runs: installed by {@link #install},
 * removed by {@link #close()} unless the JVM is already shutting down (the hook then runs, and the
 * service's own end waits for it).
 */
public final class ShutdownHook implements AutoCloseable {
  private final Thread hook;

  private ShutdownHook(Thread hook) {
    this.hook = hook;
  }

  /** Runs {@code onShutdown} in a thread named {@code name} when the JVM shuts down. */
  public static ShutdownHook install(String name, Runnable onShutdown) {
    Thread hook = new Thread(onShutdown, name);
    Runtime.getRuntime().addShutdownHook(hook);
    return new ShutdownHook(hook);
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running and waits for the service
    }
  }
}
