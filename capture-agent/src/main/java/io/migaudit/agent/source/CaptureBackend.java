package io.migaudit.agent.source;

import java.io.IOException;
import java.util.Locale;

/**
 * How live frames reach the agent. {@link #LIBPCAP} is the fastest (libpcap called directly,
 * nothing allocated per frame) and the default where it works (64-bit Linux, macOS); {@link
 * #TCPDUMP} keeps capture privileges in a child process; {@link #PCAP4J} is the portable path
 * (Windows with Npcap). Figures are in BENCHMARKS.md ("Capture path").
 */
public enum CaptureBackend {
  LIBPCAP,
  TCPDUMP,
  PCAP4J;

  /** The name on the command line and in logs. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The backend named {@code text} (case-insensitive), or an exception naming the choices. */
  public static CaptureBackend parse(String text) {
    for (CaptureBackend b : values()) {
      if (b.wire().equalsIgnoreCase(text.strip())) {
        return b;
      }
    }
    throw new IllegalArgumentException(
        "unknown capture backend \"" + text + "\" (choose libpcap, tcpdump or pcap4j)");
  }

  /** Null when this backend can run here, else one line saying why not. */
  public String unavailable() {
    return switch (this) {
      case LIBPCAP -> LibpcapSource.unavailable();
      case TCPDUMP -> TcpdumpSource.unavailable();
      case PCAP4J -> null; // pcap4j reports a missing libpcap when it opens
    };
  }

  /** The fastest backend that can run here: libpcap, else pcap4j (tcpdump only when asked for). */
  public static CaptureBackend best() {
    return LIBPCAP.unavailable() == null ? LIBPCAP : PCAP4J;
  }

  /** Opens a live capture on {@code iface} with this backend. */
  public LiveSource open(String iface, LiveCaptureOptions options) throws IOException {
    return switch (this) {
      case LIBPCAP -> LibpcapSource.open(iface, options);
      case TCPDUMP -> TcpdumpSource.open(iface, options);
      case PCAP4J -> Pcap4jSource.open(iface, options);
    };
  }
}
