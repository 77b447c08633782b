package io.migaudit.analyzer.consume;

/**
 * {@link FlowConsumer#drainTo} did not reach the end offsets in time; the message says where it
 * stood.
 */
public final class DrainTimeoutException extends RuntimeException {

  public DrainTimeoutException(String message) {
    super(message);
  }
}
