/**
 * The analyzer as a component: {@link io.migaudit.analyzer.Analyzer} with its typed {@link
 * io.migaudit.analyzer.AnalyzerConfig}, started and closed by the command line.
 */
package io.migaudit.analyzer;
