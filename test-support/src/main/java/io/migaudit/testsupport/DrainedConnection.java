package io.migaudit.testsupport;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/**
 * The receiving end of a test's connection: accepts one connection on a listener and reads it to
 * its end on a daemon thread of its own, so that the sender never blocks on a full window.
 */
public final class DrainedConnection {
  private DrainedConnection() {}

  /** Completes with the bytes the next connection to {@code listener} carried, once it closes. */
  public static CompletableFuture<Long> accept(ServerSocket listener, String threadName) {
    CompletableFuture<Long> received = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try (Socket in = listener.accept();
                  InputStream s = in.getInputStream()) {
                received.complete(s.transferTo(OutputStream.nullOutputStream()));
              } catch (Exception e) {
                received.completeExceptionally(e);
              }
            },
            threadName);
    t.setDaemon(true);
    t.start();
    return received;
  }
}
