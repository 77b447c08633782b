/**
 * Consume stage: reads flow records from the Kafka topic {@code migaudit.flows}, runs the rules,
 * writes alerts to every sink and commits offsets only after that; also builds the Kafka client
 * settings of the analyzer.
 */
package io.migaudit.analyzer.consume;
