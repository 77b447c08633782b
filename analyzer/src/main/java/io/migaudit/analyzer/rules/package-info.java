/**
 * Rules stage: tells migration flows from other traffic and judges each flow record against the
 * policy, one alert per (rule, flow). Knows nothing of Kafka, YAML or metrics.
 */
package io.migaudit.analyzer.rules;
