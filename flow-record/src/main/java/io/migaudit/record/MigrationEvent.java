package io.migaudit.record;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One live migration as an admin thinks of it: the parallel streams of one protocol family between
 * one host pair that overlap in time (vMotion opens one stream per vmknic pair and more on fast
 * NICs; QEMU opens multifd channels). Published to {@link Topics#MIGRATIONS} on every update, key =
 * {@code eventId}; the latest version of an event supersedes the earlier ones.
 *
 * @param schemaVersion {@link SchemaVersion#CURRENT}
 * @param eventId deterministic id (see {@link FlowId#eventId}): same capture, same ids
 * @param protocol protocol family of the streams ("vmotion", "hyperv", "qemu", ...)
 * @param src the host that opened the event's first stream (the sender of the VM)
 * @param dst the host that accepted it
 * @param agent agent that saw the first stream
 * @param start first packet of the earliest stream (capture time)
 * @param end latest packet of any stream so far
 * @param bytes bytes of all streams, both directions, as last reported
 * @param streams number of flows in the event
 * @param bytesPerSecond {@code bytes} over {@code end - start}; 0 while that is zero
 * @param verdict the worst verdict of the streams (plaintext, compressed, unknown, encrypted)
 * @param ended true when every stream has sent its final record (a later stream may reopen it)
 * @param flowIds the streams' flow ids, in the order they joined
 */
public record MigrationEvent(
    int schemaVersion,
    String eventId,
    String protocol,
    String src,
    String dst,
    String agent,
    Instant start,
    Instant end,
    long bytes,
    int streams,
    double bytesPerSecond,
    Verdict verdict,
    boolean ended,
    List<String> flowIds) {

  public MigrationEvent {
    flowIds = flowIds == null ? List.of() : List.copyOf(flowIds);
  }

  /** {@code end - start}. */
  public Duration duration() {
    return Duration.between(start, end);
  }
}
