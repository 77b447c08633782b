/**
 * Metrics stage: the analyzer's Micrometer meters (migration flows and bytes, alerts, records
 * read), registered on an injected registry; names and tag keys live in {@link
 * io.migaudit.analyzer.metrics.AnalyzerMetrics}.
 */
package io.migaudit.analyzer.metrics;
