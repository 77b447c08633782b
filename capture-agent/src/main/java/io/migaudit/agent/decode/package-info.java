/**
 * Decode stage: stateless, allocation-free decoders from link layer to transport, bad input as a
 * DecodeIssue.
 */
package io.migaudit.agent.decode;
