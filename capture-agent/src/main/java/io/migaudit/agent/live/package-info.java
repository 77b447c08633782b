/**
 * The live agent service: {@link io.migaudit.agent.live.LiveAgent} captures on interfaces with one
 * {@link io.migaudit.agent.CaptureAgent} per capture thread until it is closed, and answers health.
 */
package io.migaudit.agent.live;
