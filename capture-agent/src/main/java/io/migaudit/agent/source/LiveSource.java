package io.migaudit.agent.source;

/**
 * A live capture on one interface, whichever backend reads it: {@link #next} blocks until a frame
 * arrives, {@link #stop()} (from any thread) makes it return false, and the kernel's drop counters
 * are readable from any thread.
 */
public interface LiveSource extends PacketSource {

  /** Makes {@link #next} return false within one read timeout; callable from any thread. */
  void stop();

  /** Frames the kernel dropped for lack of buffer space (pcap_stats ps_drop), as last read. */
  long kernelDrops();

  /** Frames the interface or its driver dropped (pcap_stats ps_ifdrop), as last read. */
  long interfaceDrops();

  /** The backend reading the frames, for logs. */
  CaptureBackend backend();
}
