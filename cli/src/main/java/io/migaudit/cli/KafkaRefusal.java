package io.migaudit.cli;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Names a Kafka broker's refusal to let a client in (failed TLS handshake, failed SASL login) in
 * one line that says which settings of {@code --kafka-config} to check.
 */
final class KafkaRefusal {
  private KafkaRefusal() {}

  /**
   * The one-line explanation when {@code e} or one of its causes is an authentication failure, else
   * null.
   */
  static String describe(Throwable e) {
    AuthenticationException refusal = null;
    for (Throwable t = e;
        t != null && refusal == null;
        t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AuthenticationException a) {
        refusal = a;
      }
    }
    if (refusal == null) {
      return null;
    }
    if (refusal instanceof SslAuthenticationException) {
      return "Kafka TLS handshake failed ("
          + deepestMessage(refusal)
          + "): check in --kafka-config ssl.truststore.* (the CA that signed the broker's certificate), the"
          + " broker address, and ssl.keystore.* if the broker asks for client certificates";
    }
    String what =
        refusal instanceof SaslAuthenticationException ? "SASL authentication" : "authentication";
    return "Kafka refused "
        + what
        + " ("
        + deepestMessage(refusal)
        + "): check sasl.mechanism and the user name and password in sasl.jaas.config of --kafka-config";
  }

  private static String deepestMessage(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
    }
    return message == null ? e.getClass().getSimpleName() : message.replace('\n', ' ');
  }
}
