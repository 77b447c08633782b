/**
 * Classify stage: bounded payload samples to signatures, byte statistics and an encryption verdict.
 */
package io.migaudit.agent.classify;
