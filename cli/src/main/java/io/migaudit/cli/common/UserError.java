package io.migaudit.cli.common;

/** A mistake in what the user gave (file, policy, option): reported as one line, exit code 2. */
public final class UserError extends Exception {
  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }
}
