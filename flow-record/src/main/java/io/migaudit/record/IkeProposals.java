package io.migaudit.record;

import java.util.List;

/**
 * The transforms an IKEv2 IKE_SA_INIT request proposed and, when its response was seen, the ones
 * the responder chose (RFC 7296 §3.3). Names follow IANA's "IKEv2 Parameters" registry (e.g.
 * "ENCR_AES_GCM_16-256", "ENCR_NULL", "PRF_HMAC_SHA2_256", "AUTH_HMAC_SHA1_96", "DH_14"); unknown
 * ids read "ENCR_#nn". At most {@link #MAX_TRANSFORMS} each.
 *
 * @param offered transforms of every proposal of the request, in order, without repeats
 * @param chosen transforms of the response's proposal; empty when not seen
 */
public record IkeProposals(List<String> offered, List<String> chosen) {
  public static final int MAX_TRANSFORMS = 48;

  public IkeProposals {
    offered = offered == null ? List.of() : List.copyOf(offered);
    chosen = chosen == null ? List.of() : List.copyOf(chosen);
  }
}
