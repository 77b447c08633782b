package io.migaudit.agent.source;

import java.time.Duration;

/**
 * How a live capture opens its interface.
 *
 * @param snaplenBytes bytes kept of each frame; the default, libpcap's largest (tcpdump's default
 *     too), keeps whole standard and jumbo frames and the superframes a host's NIC offloads (GRO,
 *     TSO) and its loopback (MTU 65536) hand to the capture, which pass 65535 bytes by their
 *     headers; the decoder counts what the snap length cut from the wire length
 * @param promiscuous receive frames not addressed to the interface (mirror and SPAN ports need it)
 * @param bufferBytes kernel capture buffer; a larger one rides out bursts (10 GbE vMotion) with
 *     fewer kernel drops
 * @param immediate hand each frame over as it arrives instead of in blocks (at most {@code
 *     readTimeout} late); on Linux immediate mode makes libpcap use a TPACKET_V2 ring of
 *     snaplen-sized slots, which holds few frames (about 250 in 64 MiB at snaplen 262144) and drops
 *     them under load, while the default TPACKET_V3 ring packs frames by their size
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

  /**
   * libpcap's MAXIMUM_SNAPLEN. 65535, the default before, cut every 64 KiB segment on loopback and
   * every GRO or TSO superframe by 14-18 bytes, and the agent then warned about its own snap
   * length.
   */
  public static final int DEFAULT_SNAPLEN_BYTES = 262_144;

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
