package io.migaudit.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What a flow to a KDC (TCP/UDP 88) asked for: its distinct Kerberos requests in order of
 * appearance, at most {@link #MAX_REQUESTS}, and how many ticket-granting replies the KDC sent
 * back.
 *
 * @param requests distinct requests, never empty in a record
 * @param replies TGS-REP messages (RFC 4120 msg-type 13) seen from the KDC in this flow; a request
 *     counts as evidence only when its KDC replied. Null from agents that predate it (absent from
 *     their JSON): their requests do not count
 */
public record KerberosActivity(
    List<KerberosRequest> requests, @JsonInclude(JsonInclude.Include.NON_NULL) Integer replies) {
  /** Bound on the requests one flow record carries. */
  public static final int MAX_REQUESTS = 8;

  public KerberosActivity {
    requests = requests == null ? List.of() : List.copyOf(requests);
  }

  /** Requests of an agent that does not say whether the KDC replied. */
  public KerberosActivity(List<KerberosRequest> requests) {
    this(requests, null);
  }

  /** True when the KDC sent at least one ticket-granting reply in this flow. */
  public boolean replied() {
    return replies != null && replies > 0;
  }
}
