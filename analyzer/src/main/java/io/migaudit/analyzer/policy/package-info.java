/**
 * Policy stage: reads the audit policy (encryption mode, migration networks, trusted hosts, extra
 * ports) from YAML and answers address and VLAN questions about it, without DNS or Kafka.
 */
package io.migaudit.analyzer.policy;
