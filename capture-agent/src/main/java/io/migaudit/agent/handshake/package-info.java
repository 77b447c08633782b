/**
 * Handshake stage: stateless, bounds-checked decoders of the clear-text parts of TLS, SSH, ESP and
 * IKE, fed one direction's stream bytes, and the per-flow inspector that turns what they read into
 * a record's handshake facts. Bad input yields a {@link
 * io.migaudit.agent.handshake.HandshakeIssue}, never an exception; no byte read is kept beyond the
 * handshake.
 */
package io.migaudit.agent.handshake;
