package io.migaudit.agent.source;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * The few libpcap (and libc) functions {@link LibpcapSource} calls, bound with JNA direct mapping:
 * every argument on the capture path is a primitive (pointers as {@code long}), so a call allocates
 * nothing on the Java heap, unlike pcap4j's interface-mapped calls that build a byte array, a
 * timestamp and a header object per packet. Needs a 64-bit Linux or macOS (pointers as {@code
 * long}, {@code fmemopen} from libc); elsewhere {@link #problem()} says why it is not usable.
 */
final class Libpcap {
  /** pcap.h: PCAP_ERRBUF_SIZE. */
  static final int ERRBUF_SIZE = 256;

  /** pcap.h: PCAP_TSTAMP_PRECISION_MICRO. */
  static final int TSTAMP_PRECISION_MICRO = 0;

  /** pcap_dispatch results (pcap.h) besides a packet count: an error, pcap_breakloop. */
  static final int DISPATCH_ERROR = -1;

  static final int DISPATCH_BREAK = -2;

  /** struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; }, padded on 64-bit. */
  static final int BPF_PROGRAM_BYTES = 16;

  /**
   * struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen, len; } on 64-bit systems: a 16-byte
   * timeval, then the lengths.
   */
  static final int PKTHDR_BYTES = 24;

  static final int PKTHDR_OFFSET_CAPLEN = 16;
  static final int PKTHDR_OFFSET_LEN = 20;

  /** struct pcap_stat { u_int ps_recv, ps_drop, ps_ifdrop; } (Windows adds a field after). */
  static final int PCAP_STAT_BYTES = 16;

  static final int PCAP_STAT_OFFSET_DROP = 4;
  static final int PCAP_STAT_OFFSET_IFDROP = 8;

  /** Why the binding cannot be used here, or null once it is registered. */
  private static final String PROBLEM = register();

  private Libpcap() {}

  /** Null when libpcap is bound and usable, else one line saying why not. */
  static String problem() {
    return PROBLEM;
  }

  private static String register() {
    if (Native.POINTER_SIZE != Long.BYTES || !(Platform.isLinux() || Platform.isMac())) {
      return "the libpcap backend needs 64-bit Linux or macOS";
    }
    try {
      // pcap4j's property names the library the same way, so one setting serves both backends
      Native.register(
          Pcap.class,
          NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap")));
      Native.register(C.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
      return null;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      return "libpcap is not installed (Debian: apt-get install libpcap0.8): " + e.getMessage();
    }
  }

  /** The C string at {@code address}, or "" for NULL (error messages only: this allocates). */
  static String string(long address) {
    return address == 0 ? "" : new Pointer(address).getString(0);
  }

  /** The NUL-terminated text in an error buffer. */
  static String string(byte[] errbuf) {
    int n = 0;
    while (n < errbuf.length && errbuf[n] != 0) {
      n++;
    }
    return new String(errbuf, 0, n, StandardCharsets.UTF_8);
  }

  /** libpcap entry points; pcap_t* and other pointers are {@code long}. */
  static final class Pcap {
    private Pcap() {}

    static native long pcap_create(String source, byte[] errbuf);

    static native long pcap_open_offline(String fname, byte[] errbuf);

    static native int pcap_set_snaplen(long p, int snaplen);

    static native int pcap_set_promisc(long p, int promisc);

    static native int pcap_set_timeout(long p, int toMs);

    static native int pcap_set_buffer_size(long p, int bufferSize);

    static native int pcap_set_immediate_mode(long p, int immediate);

    static native int pcap_set_tstamp_precision(long p, int precision);

    static native int pcap_activate(long p);

    static native long pcap_statustostr(int error);

    static native long pcap_geterr(long p);

    static native int pcap_compile(long p, long program, String filter, int optimize, int netmask);

    static native int pcap_setfilter(long p, long program);

    static native int pcap_offline_filter(long program, long header, long packet);

    static native void pcap_freecode(long program);

    static native int pcap_datalink(long p);

    static native int pcap_snapshot(long p);

    static native int pcap_dispatch(long p, int count, long callback, long user);

    static native long pcap_dump_fopen(long p, long file);

    static native int pcap_dump_flush(long dumper);

    static native void pcap_dump_close(long dumper);

    static native int pcap_stats(long p, long stats);

    static native void pcap_breakloop(long p);

    static native void pcap_close(long p);

    static native int pcap_fileno(long p);
  }

  /** libc's in-memory stdio stream, which pcap_dump writes a batch of records into. */
  static final class C {
    private C() {}

    static native long fmemopen(long buffer, long size, String mode);

    static native int setvbuf(long file, long buffer, int mode, long size);

    static native int fseek(long file, long offset, int whence);

    static native long ftell(long file);

    /** Throws {@link LastErrorException} with the errno when it fails. */
    static native int setsockopt(int fd, int level, int name, int[] value, int length)
        throws LastErrorException;

    static native int getsockopt(int fd, int level, int name, int[] value, int[] length)
        throws LastErrorException;
  }

  /**
   * linux/if_packet.h: SOL_PACKET, PACKET_FANOUT and its hash mode and unique-id flag (Linux 4.2+).
   */
  static final int SOL_PACKET = 263;

  static final int PACKET_FANOUT = 18;
  static final int PACKET_FANOUT_HASH = 0;
  static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;

  /**
   * stdio.h: _IONBF (unbuffered: every write goes straight to the memory) and SEEK_SET, same on
   * glibc and macOS.
   */
  static final int IONBF = 2;

  static final int SEEK_SET = 0;

  /**
   * The address of libpcap's own pcap_dump, which pcap(3PCAP) documents as a pcap_dispatch
   * callback.
   */
  static long pcapDumpFunction() {
    return Pointer.nativeValue(
        NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap"))
            .getFunction("pcap_dump"));
  }
}
