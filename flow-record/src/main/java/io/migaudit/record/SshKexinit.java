package io.migaudit.record;

import java.util.List;

/**
 * The algorithm name-lists of one SSH_MSG_KEXINIT (RFC 4253 §7.1), each in the sender's order of
 * preference, at most {@link #MAX_NAMES} names of at most {@link #MAX_NAME_LENGTH} characters.
 *
 * @param kex key exchange algorithms
 * @param hostKey server host key algorithms
 * @param ciphersClientToServer encryption algorithms, client to server
 * @param ciphersServerToClient encryption algorithms, server to client
 * @param macsClientToServer MAC algorithms, client to server
 * @param macsServerToClient MAC algorithms, server to client
 */
public record SshKexinit(
    List<String> kex,
    List<String> hostKey,
    List<String> ciphersClientToServer,
    List<String> ciphersServerToClient,
    List<String> macsClientToServer,
    List<String> macsServerToClient) {

  public static final int MAX_NAMES = 32;
  public static final int MAX_NAME_LENGTH = 64;

  public SshKexinit {
    kex = copy(kex);
    hostKey = copy(hostKey);
    ciphersClientToServer = copy(ciphersClientToServer);
    ciphersServerToClient = copy(ciphersServerToClient);
    macsClientToServer = copy(macsClientToServer);
    macsServerToClient = copy(macsServerToClient);
  }

  private static List<String> copy(List<String> names) {
    return names == null ? List.of() : List.copyOf(names);
  }
}
