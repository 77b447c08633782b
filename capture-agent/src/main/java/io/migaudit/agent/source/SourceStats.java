package io.migaudit.agent.source;

/**
 * What a source has read.
 *
 * @param packetsRead frames handed out
 * @param bytesRead captured bytes of those frames (what the capture holds, not the wire lengths)
 * @param truncation one line saying where and how the input broke off or turned corrupt, or null
 *     when it was read whole (so far)
 */
public record SourceStats(long packetsRead, long bytesRead, String truncation) {

  /** True when the input ended inside a record or a record was corrupt. */
  public boolean truncated() {
    return truncation != null;
  }
}
