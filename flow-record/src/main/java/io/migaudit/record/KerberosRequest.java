package io.migaudit.record;

/**
 * One Kerberos request a client sent to a KDC, as the agent read it from the request's clear-text
 * fields (RFC 4120, KDC-REQ-BODY). Names only: never tickets, authenticators or encrypted parts.
 *
 * @param type the message type, {@link #TGS_REQ}
 * @param service the requested service principal's name components joined by '/' (e.g. {@code
 *     "Microsoft Virtual System Migration Service/hv-02.corp.example"}), printable ASCII, at most
 *     {@link #MAX_NAME_CHARS} characters; bytes outside 0x20-0x7e are written as '?' and a cut name
 *     ends with {@code "..."}
 * @param realm the realm of the request body (the service's realm), same rules
 */
public record KerberosRequest(String type, String service, String realm) {
  /** RFC 4120 msg-type 12, a ticket-granting service request. */
  public static final String TGS_REQ = "TGS-REQ";

  /** Bound on {@code service} and {@code realm}. */
  public static final int MAX_NAME_CHARS = 255;

  /**
   * The first name component, the service class ({@code "cifs"}), or the whole name if it has one.
   */
  public String serviceClass() {
    int slash = service.indexOf('/');
    return slash < 0 ? service : service.substring(0, slash);
  }

  /** The second name component (the host of a host-based service), or null. */
  public String serviceHost() {
    int slash = service.indexOf('/');
    if (slash < 0) {
      return null;
    }
    int next = service.indexOf('/', slash + 1);
    return next < 0 ? service.substring(slash + 1) : service.substring(slash + 1, next);
  }
}
