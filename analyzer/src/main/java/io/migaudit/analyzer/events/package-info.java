/**
 * Events stage: groups the parallel streams of one live migration (same host pair, same protocol
 * family, overlapping in time) into one migration event. Knows nothing of Kafka or YAML.
 */
package io.migaudit.analyzer.events;
