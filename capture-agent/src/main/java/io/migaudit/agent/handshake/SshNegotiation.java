package io.migaudit.agent.handshake;

import io.migaudit.record.SshHandshake;
import io.migaudit.record.SshKexinit;
import java.util.List;

/**
 * What two KEXINITs negotiate (RFC 4253 §7.1): for each algorithm, the first on the client's list
 * that is also on the server's. {@code none} is an algorithm like any other.
 */
public final class SshNegotiation {
  private SshNegotiation() {}

  /** The handshake facts of one or both KEXINITs (either may be null). */
  public static SshHandshake of(SshKexinit client, SshKexinit server) {
    if (client == null || server == null) {
      return new SshHandshake(client, server, null, null, null, null);
    }
    return new SshHandshake(
        client,
        server,
        first(client.ciphersClientToServer(), server.ciphersClientToServer()),
        first(client.ciphersServerToClient(), server.ciphersServerToClient()),
        first(client.macsClientToServer(), server.macsClientToServer()),
        first(client.macsServerToClient(), server.macsServerToClient()));
  }

  /** The first of {@code client}'s names on {@code server}'s list, null when they share none. */
  static String first(List<String> client, List<String> server) {
    for (String name : client) {
      if (server.contains(name)) {
        return name;
      }
    }
    return null;
  }
}
