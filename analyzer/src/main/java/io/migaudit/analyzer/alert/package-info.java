/**
 * Alert stage: writes alerts out, to the Kafka topic {@code migaudit.alerts} and to JSON-lines
 * files, and makes sure they are durable before the consumer commits.
 */
package io.migaudit.analyzer.alert;
