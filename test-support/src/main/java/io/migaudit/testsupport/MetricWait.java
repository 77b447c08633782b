package io.migaudit.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Waits on a series of a service's {@code /metrics} (Prometheus text) on a loopback port: until its
 * value passes a test, failing at the deadline with the last value seen, or at once (quoting the
 * log) when the service's process exits.
 */
public final class MetricWait {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http = HttpClient.newHttpClient();
  private final URI uri;
  private final ChildProcess service;

  /** The metrics of {@code service} on {@code 127.0.0.1:port}; {@code service} may be null. */
  public MetricWait(int port, ChildProcess service) {
    this.uri = URI.create("http://127.0.0.1:" + port + "/metrics");
    this.service = service;
  }

  /**
   * The value of {@code series} (its name with any labels exactly as rendered, e.g. {@code
   * migaudit_agent_packets_total{interface="eth0"}}), or empty if it is not there (yet).
   */
  public OptionalDouble value(String series) throws IOException, InterruptedException {
    String body =
        http.send(
                HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return valueIn(body, series);
  }

  /** The value of {@code series} in a Prometheus text exposition. */
  public static OptionalDouble valueIn(String exposition, String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " ([-0-9.eE+]+|NaN)").matcher(exposition);
    return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
  }

  /** Waits until {@code series} is at least {@code atLeast}; returns its value. */
  public double awaitAtLeast(String series, double atLeast, Duration deadline) {
    return await(series, v -> v >= atLeast, "at least " + atLeast, deadline);
  }

  /** Waits until {@code series} is {@code expected}. */
  public double awaitEqual(String series, double expected, Duration deadline) {
    return await(series, v -> v == expected, "equal to " + expected, deadline);
  }

  /** Waits until the value of {@code series} passes {@code test} (described by {@code what}). */
  public double await(String series, DoublePredicate test, String what, Duration deadline) {
    double[] last = {Double.NaN};
    try {
      return Eventually.get(
          series + " " + what,
          deadline,
          () -> {
            if (service != null) {
              service.assertAlive();
            }
            OptionalDouble v = value(series); // an IOException: not listening yet
            if (v.isEmpty()) {
              return Optional.empty();
            }
            last[0] = v.getAsDouble();
            return test.test(last[0]) ? Optional.of(last[0]) : Optional.empty();
          });
    } catch (Eventually.Stop stopped) {
      throw stopped;
    } catch (AssertionError timedOut) {
      String log = service == null ? "" : "; log:\n" + service.log();
      throw new AssertionError(
          timedOut.getMessage() + " (last value " + last[0] + ")" + log, timedOut);
    }
  }
}
