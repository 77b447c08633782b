/**
 * Capture workers for a capture file: the workers take turns reading it, hash each frame's flow
 * once and hand the frames, in shared batches, to the worker whose flow table owns that flow.
 */
package io.migaudit.agent.dispatch;
