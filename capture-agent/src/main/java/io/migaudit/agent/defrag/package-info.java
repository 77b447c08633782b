/** IP reassembly: fragmented IPv4 and IPv6 packets put back together before they are judged. */
package io.migaudit.agent.defrag;
