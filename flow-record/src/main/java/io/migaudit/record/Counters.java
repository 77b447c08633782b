package io.migaudit.record;

/**
 * Traffic counted in one direction of a flow.
 *
 * @param packets packets seen
 * @param bytes IP bytes (from the IP header's length, so truncated captures still count the wire)
 * @param payloadBytes transport payload bytes (TCP/UDP data, ESP body)
 */
public record Counters(long packets, long bytes, long payloadBytes) {
  public static final Counters ZERO = new Counters(0, 0, 0);
}
