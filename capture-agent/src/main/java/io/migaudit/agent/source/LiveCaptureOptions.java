package io.migaudit.agent.source;

import java.time.Duration;

/**
 * How a live capture opens its interface.
 *
 * @param snaplenBytes bytes kept of each frame; 65535 keeps whole standard and jumbo frames, and
 *     the decoder counts what the snap length cut from the wire length
 * @param promiscuous receive frames not addressed to the interface (mirror and SPAN ports need it)
 * @param bufferBytes kernel capture buffer; a larger one rides out bursts (10 GbE vMotion) with
 *     fewer kernel drops
 * @param immediate hand each frame over as it arrives instead of in blocks (at most {@code
 *     readTimeout} late); on Linux immediate mode makes libpcap use a TPACKET_V2 ring of
 *     snaplen-sized slots, which holds few frames (about 1,000 in 64 MiB at snaplen 65535) and
 *     drops them under load, while the default TPACKET_V3 ring packs frames by their size
 * @param readTimeout how long one read waits for a frame; bounds how quickly a stop is noticed
 * @param filter BPF filter expression (pcap-filter(7)), or null for every frame
 */
public record LiveCaptureOptions(
    int snaplenBytes,
    boolean promiscuous,
    int bufferBytes,
    boolean immediate,
    Duration readTimeout,
    String filter) {

  public static final int DEFAULT_SNAPLEN_BYTES = 65535;
  public static final int DEFAULT_BUFFER_BYTES = 64 * 1024 * 1024;

  /**
   * Without immediate mode libpcap hands frames over in blocks (TPACKET_V3 on Linux), each block at
   * the latest after this long: the most a frame waits, and how quickly a stop is noticed.
   */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMillis(50);

  public LiveCaptureOptions {
    if (snaplenBytes < 64 || bufferBytes < 0 || readTimeout.isNegative() || readTimeout.isZero()) {
      throw new IllegalArgumentException(
          "snaplen at least 64, buffer size not negative, read timeout positive");
    }
  }

  public static LiveCaptureOptions defaults(String filter) {
    return new LiveCaptureOptions(
        DEFAULT_SNAPLEN_BYTES, true, DEFAULT_BUFFER_BYTES, false, DEFAULT_READ_TIMEOUT, filter);
  }
}
