/**
 * Capture workers for a capture file: one reader thread decodes each frame far enough to hash its
 * flow and hands it, in shared batches, to the worker whose flow table owns that flow.
 */
package io.migaudit.agent.dispatch;
