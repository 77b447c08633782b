package io.migaudit.record;

/**
 * Whether an ESP flow's payload is encrypted at all. ESP-NULL (RFC 2410) authenticates but does not
 * encrypt: the inner transport header follows the ESP header in clear, which RFC 5840's heuristics
 * detect.
 *
 * @param encryption "null" (the inner header was found in clear), "encrypted" (packets were
 *     examined and none showed one)
 * @param innerProtocol the clear inner protocol ("tcp", "udp", ...) when {@code encryption} is
 *     "null"; null otherwise
 * @param packets ESP packets examined
 */
public record EspProtection(String encryption, String innerProtocol, int packets) {
  public static final String NULL = "null";
  public static final String ENCRYPTED = "encrypted";

  /** True when the payload travels without encryption. */
  public boolean nullEncryption() {
    return NULL.equals(encryption);
  }
}
