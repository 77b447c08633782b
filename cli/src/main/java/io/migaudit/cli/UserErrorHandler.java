package io.migaudit.cli;

import io.migaudit.cli.common.UserError;
import io.migaudit.cli.common.Verbosity;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
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
    if (verbose(parsed)) {
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

  /**
   * The {@code --verbose} of the command that ran (the innermost one), read where it is declared:
   * on the command itself or on one of its mixins.
   */
  private static boolean verbose(ParseResult parsed) {
    ParseResult ran = parsed;
    while (ran.hasSubcommand()) {
      ran = ran.subcommand();
    }
    CommandSpec spec = ran.commandSpec();
    return Stream.concat(
            Stream.of(spec.userObject()),
            spec.mixins().values().stream().map(CommandSpec::userObject))
        .anyMatch(o -> o instanceof Verbosity v && v.verbose());
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
