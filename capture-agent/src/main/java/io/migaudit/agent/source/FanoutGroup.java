package io.migaudit.agent.source;

import com.sun.jna.LastErrorException;
import com.sun.jna.Platform;
import io.migaudit.agent.source.Libpcap.C;
import io.migaudit.agent.source.Libpcap.Pcap;
import java.io.IOException;

/**
 * A Linux AF_PACKET fanout group (packet(7), {@code PACKET_FANOUT}) over several libpcap captures
 * of one interface: the kernel hands each frame to one member, chosen by {@code
 * PACKET_FANOUT_HASH}, the packet's flow hash. That hash is symmetric ({@code
 * __skb_get_hash_symmetric}: both directions of a flow give the same value, checked on this kernel
 * by {@code FanoutGroupIT}), so both directions of a flow reach one member and its flow table. The
 * first member asks the kernel for an id no other group in the network namespace uses ({@code
 * PACKET_FANOUT_FLAG_UNIQUEID}), so two agents on one host never share frames; the others join that
 * id.
 */
final class FanoutGroup {
  /** The group id the kernel gave the first member; 0 until then. */
  private int id;

  /** Null when fanout works here (Linux with the libpcap binding), else why not. */
  static String unavailable() {
    if (!Platform.isLinux()) {
      return "capture workers need Linux's AF_PACKET fanout";
    }
    return Libpcap.problem();
  }

  /** Puts the socket of {@code handle} (an activated live capture) into this group. */
  synchronized void join(long handle, String iface) throws IOException {
    int fd = Pcap.pcap_fileno(handle);
    if (fd < 0) {
      throw new IOException(iface + ": no capture socket to join a fanout group with");
    }
    int mode =
        id == 0
            ? Libpcap.PACKET_FANOUT_HASH | Libpcap.PACKET_FANOUT_FLAG_UNIQUEID
            : Libpcap.PACKET_FANOUT_HASH;
    int[] value = {id | (mode << 16)};
    try {
      C.setsockopt(fd, Libpcap.SOL_PACKET, Libpcap.PACKET_FANOUT, value, Integer.BYTES);
    } catch (LastErrorException e) {
      throw new IOException(
          iface
              + ": cannot join an AF_PACKET fanout group (errno "
              + e.getErrorCode()
              + "; needs Linux 4.2 or later)",
          e);
    }
    int joined = groupOf(fd, iface);
    if (joined == 0 || (id != 0 && joined != id)) {
      throw new IOException(
          iface
              + ": the capture socket is not in fanout group "
              + id
              + " (it says "
              + joined
              + ")");
    }
    id = joined;
  }

  /** The fanout group id the socket {@code fd} is in; 0 for none. */
  private static int groupOf(int fd, String iface) throws IOException {
    int[] got = {0};
    int[] length = {Integer.BYTES};
    try {
      C.getsockopt(fd, Libpcap.SOL_PACKET, Libpcap.PACKET_FANOUT, got, length);
    } catch (LastErrorException e) {
      throw new IOException(
          iface + ": cannot read the fanout group's id (errno " + e.getErrorCode() + ")", e);
    }
    return got[0] & 0xFFFF;
  }

  /** The group's id (0 before the first member joined). */
  synchronized int id() {
    return id;
  }
}
