/** Publish stage: flow records to Kafka, keyed by flow id, idempotent and acknowledged by all replicas. */
package io.migaudit.agent.publish;
