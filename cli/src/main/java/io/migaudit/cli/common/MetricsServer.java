package io.migaudit.cli.common;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /metrics} (Prometheus text format) and {@code /healthz} over HTTP with the JDK's
 * own server. Binds to loopback unless told otherwise: metrics describe the hosts' migrations.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final Scrapes scrapes;

  private MetricsServer(HttpServer server, Scrapes scrapes) {
    this.server = server;
    this.scrapes = scrapes;
  }

  /** Counts answered /metrics requests and lets a caller wait for the next one. */
  private static final class Scrapes {
    private long count;

    synchronized void add() {
      count++;
      notifyAll();
    }

    synchronized boolean awaitAfter(long seen, long deadlineNanos) throws InterruptedException {
      while (count <= seen) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }

    synchronized long count() {
      return count;
    }
  }

  /**
   * @param address host:port to listen on, e.g. 127.0.0.1:9464; port 0 picks a free one
   * @param healthy answers /healthz: 200 when true, 503 when false
   */
  public static MetricsServer start(
      String address, PrometheusMeterRegistry registry, BooleanSupplier healthy) throws UserError {
    InetSocketAddress bind = parse(address);
    HttpServer server;
    try {
      server = HttpServer.create(bind, 16);
    } catch (IOException e) {
      throw new UserError("cannot listen on " + address + " for /metrics: " + e.getMessage(), e);
    }
    Scrapes scrapes = new Scrapes();
    server.createContext(
        "/metrics",
        ex -> {
          respond(ex, 200, PROMETHEUS_TEXT, registry.scrape());
          scrapes.add();
        });
    server.createContext(
        "/healthz",
        ex -> {
          boolean ok = healthy.getAsBoolean();
          respond(ex, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "unhealthy\n");
        });
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "migaudit-metrics-http");
              t.setDaemon(true);
              return t;
            }));
    server.start();
    LOG.info(
        "serving /metrics and /healthz on http://{}:{}",
        bind.getHostString(),
        server.getAddress().getPort());
    return new MetricsServer(server, scrapes);
  }

  /**
   * Waits until /metrics is read after this call began (so the scrape sees the meters registered
   * before it), at most {@code timeout}; true if it was.
   */
  public boolean awaitNextScrape(Duration timeout) throws InterruptedException {
    return scrapes.awaitAfter(scrapes.count(), System.nanoTime() + timeout.toNanos());
  }

  int port() {
    return server.getAddress().getPort();
  }

  static InetSocketAddress parse(String address) throws UserError {
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      throw new UserError(
          "--metrics-address " + address + ": expected HOST:PORT, e.g. 127.0.0.1:9464");
    }
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    try {
      int port = Integer.parseInt(address.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, port);
    } catch (NumberFormatException e) {
      throw new UserError("--metrics-address " + address + ": port must be 0-65535");
    }
  }

  private static void respond(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
