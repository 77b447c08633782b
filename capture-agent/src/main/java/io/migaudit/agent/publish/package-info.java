/**
 * Publish stage: flow records to Kafka, keyed by flow id, idempotent and acknowledged by all
 * replicas; a bounded disk spool holds them, in order, while Kafka does not take them.
 */
package io.migaudit.agent.publish;
