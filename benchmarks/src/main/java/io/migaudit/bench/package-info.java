/**
 * JMH benchmarks of the agent's hot stages: decoding, the flow table and payload classification.
 */
package io.migaudit.bench;
