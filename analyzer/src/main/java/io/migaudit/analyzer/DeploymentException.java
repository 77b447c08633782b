package io.migaudit.analyzer;

/**
 * The cluster is not as the analyzer's deployment needs it; the message says what to do, in one
 * line.
 */
public final class DeploymentException extends Exception {
  public DeploymentException(String message) {
    super(message);
  }
}
