package io.migaudit.analyzer.policy;

/**
 * A policy file that cannot be used. The message is one line naming the file, the line and the
 * field, fit to print as it is: {@code policy.yaml:1: encryption: "sometimes" is not one of ...}.
 */
public final class PolicyException extends Exception {

  public PolicyException(String message) {
    super(message);
  }

  public PolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
