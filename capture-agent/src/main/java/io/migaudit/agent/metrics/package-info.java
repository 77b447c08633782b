/**
 * Agent metrics: every meter name and tag key of the capture agent, bound to an injected registry.
 */
package io.migaudit.agent.metrics;
