package io.migaudit.record;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Both SSH KEXINIT messages and what they negotiate (RFC 4253 §7.1: for each list, the first
 * algorithm of the client's that the server also lists).
 *
 * @param client the client's KEXINIT; null when not seen
 * @param server the server's KEXINIT; null when not seen
 * @param cipherClientToServer negotiated encryption, client to server ("none" included); null when
 *     not negotiated (a list missing, or no algorithm in common)
 * @param cipherServerToClient negotiated encryption, server to client
 * @param macClientToServer negotiated MAC, client to server (unused by AEAD ciphers)
 * @param macServerToClient negotiated MAC, server to client
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SshHandshake(
    SshKexinit client,
    SshKexinit server,
    String cipherClientToServer,
    String cipherServerToClient,
    String macClientToServer,
    String macServerToClient) {}
