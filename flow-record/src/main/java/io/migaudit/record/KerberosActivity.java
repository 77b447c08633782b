package io.migaudit.record;

import java.util.List;

/**
 * What a flow to a KDC (TCP/UDP 88) asked for: its distinct Kerberos requests in order of
 * appearance, at most {@link #MAX_REQUESTS}.
 *
 * @param requests distinct requests, never empty in a record
 */
public record KerberosActivity(List<KerberosRequest> requests) {
  /** Bound on the requests one flow record carries. */
  public static final int MAX_REQUESTS = 8;

  public KerberosActivity {
    requests = requests == null ? List.of() : List.copyOf(requests);
  }
}
