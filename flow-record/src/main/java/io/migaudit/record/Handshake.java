package io.migaudit.record;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a flow's clear-text handshake said about its protection: at most one of the parts is set, by
 * the protocol the agent recognised. Names, versions and sizes only, never keys or certificate
 * bytes.
 *
 * @param tls TLS ClientHello / ServerHello / Certificate facts
 * @param ssh SSH KEXINIT lists and the algorithms they negotiate
 * @param esp whether an ESP flow's payload is encrypted at all
 * @param ike the proposals of an IKE_SA_INIT exchange
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Handshake(TlsHandshake tls, SshHandshake ssh, EspProtection esp, IkeProposals ike) {

  /** True when no part is set. */
  public boolean empty() {
    return tls == null && ssh == null && esp == null && ike == null;
  }
}
