package io.migaudit.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The routed IP tunnel a flow's packets travelled in: IP in IP, GRE carrying IP packets, or a UDP
 * datagram carrying an IP packet in clear (a UDP tunnel that does not encrypt). Its outer path is
 * the network the flow really crossed, whatever addresses the packets inside carry. A mirror's or
 * an overlay's encapsulation (ERSPAN, GRE carrying Ethernet, VXLAN, Geneve) carries copies or
 * frames, not the flow's route, and gives no tunnel.
 *
 * @param kind the tunnel's encapsulation layer, "ip-in-ip", "gre" or "udp-tunnel"
 * @param endpoints the tunnel's two outer addresses, lower first (the same for both directions)
 * @param vlan the 802.1Q VLAN id the tunnel's packets carried on the wire, null when untagged
 */
public record Tunnel(
    String kind, List<String> endpoints, @JsonInclude(JsonInclude.Include.NON_NULL) Integer vlan) {
  public Tunnel {
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
  }
}
