/**
 * A real Kafka broker inside the JVM for {@code replay}, the bench commands and the integration
 * tests; never on the agent's or the analyzer's classpath.
 */
package io.migaudit.broker;
