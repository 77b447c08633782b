/**
 * Flow stage: packets to bidirectional flows with timeouts driven by packet time, and flow records.
 */
package io.migaudit.agent.flow;
