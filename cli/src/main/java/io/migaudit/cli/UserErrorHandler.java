package io.migaudit.cli;

import io.migaudit.cli.common.UserError;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns exceptions from commands into exit codes: a {@link UserError} prints one line and exits 2,
 * and so does a Kafka broker refusing the client (TLS handshake, SASL login; see {@link
 * KafkaRefusal}); any other failure prints one line and exits 1. A stack trace is printed only with
 * {@code --verbose}.
 */
final class UserErrorHandler implements IExecutionExceptionHandler {
  static final int USER_ERROR = 2;
  static final int FAILURE = 1;

  @Override
  public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
    boolean verbose =
        parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
            || parsed.hasMatchedOption("--verbose");
    if (verbose) {
      e.printStackTrace(cl.getErr());
    }
    if (e instanceof UserError) {
      cl.getErr().println("migaudit: " + e.getMessage());
      return USER_ERROR;
    }
    String refusal = KafkaRefusal.describe(e);
    if (refusal != null) {
      cl.getErr().println("migaudit: " + refusal);
      return USER_ERROR;
    }
    cl.getErr().println("migaudit: failed: " + oneLine(e));
    return FAILURE;
  }

  private static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (root != e && root.getMessage() != null && !msg.contains(root.getMessage())) {
      msg += " (" + root.getMessage() + ")";
    }
    return msg.replace('\n', ' ');
  }
}
