/**
 * Policy stage: reads the audit policy (encryption mode, migration networks, trusted hosts, trust
 * zones, extra ports) from YAML, answers address and VLAN questions about it without DNS or Kafka,
 * and reloads it when its file changes or on request.
 */
package io.migaudit.analyzer.policy;
