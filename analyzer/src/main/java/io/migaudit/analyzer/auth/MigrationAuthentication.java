package io.migaudit.analyzer.auth;

import java.util.List;

/**
 * What the Kerberos requests seen say about how one Hyper-V migration was authenticated.
 *
 * @param watched true when a flow from the source host to a KDC was seen in the window: the agents
 *     see its Kerberos traffic, so a missing request means something
 * @param kerberos true when a request from the source for the destination's migration service
 *     preceded the migration within the ticket lifetime
 * @param matchedService that request's service principal ({@code service@realm}), null if none
 * @param kdcFlowsFromSource flows from the source's addresses to port 88 within the window
 * @param requestsFromSource requests remembered from the source's addresses within the window
 * @param unmappedServices migration-service principals requested in the window whose host name the
 *     policy does not map to addresses (they could not be matched; add them to {@code
 *     hyperv.hosts}), at most {@link KerberosEvidence#MAX_REPORTED_SERVICES}
 * @param sourceAddresses the addresses taken as the source host (its own and its aliases)
 */
public record MigrationAuthentication(
    boolean watched,
    boolean kerberos,
    String matchedService,
    int kdcFlowsFromSource,
    int requestsFromSource,
    List<String> unmappedServices,
    List<String> sourceAddresses) {

  public MigrationAuthentication {
    unmappedServices = List.copyOf(unmappedServices);
    sourceAddresses = List.copyOf(sourceAddresses);
  }
}
