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
 * id. The kernel numbers such groups from 0 after boot, so 0 is an id like any other: the first
 * agent started with workers on a fresh host gets it.
 */
final class FanoutGroup {
  /** The group id the kernel gave the first member, once {@link #formed}. */
  private int id;

  /** The first member has joined and {@link #id} is its group's. */
  private boolean formed;

  /** Null when fanout works here (Linux with the libpcap binding), else why not. */
  static String unavailable() {
    if (!Platform.isLinux()) {
      return "capture workers need Linux's AF_PACKET fanout";
    }
    return Libpcap.problem();
  }

  /** The socket options a group is made with: the kernel's, or a test's stand-in for them. */
  interface Sockets {
    /**
     * setsockopt(fd, SOL_PACKET, PACKET_FANOUT, value).
     *
     * @throws LastErrorException with the errno when the kernel refuses
     */
    void setFanout(int fd, int value);

    /**
     * getsockopt(fd, SOL_PACKET, PACKET_FANOUT).
     *
     * @throws LastErrorException with the errno when the kernel refuses
     */
    int fanout(int fd);
  }

  /** The kernel's socket options. */
  static final Sockets KERNEL =
      new Sockets() {
        @Override
        public void setFanout(int fd, int value) {
          C.setsockopt(
              fd, Libpcap.SOL_PACKET, Libpcap.PACKET_FANOUT, new int[] {value}, Integer.BYTES);
        }

        @Override
        public int fanout(int fd) {
          int[] got = {0};
          C.getsockopt(
              fd, Libpcap.SOL_PACKET, Libpcap.PACKET_FANOUT, got, new int[] {Integer.BYTES});
          return got[0];
        }
      };

  private final Sockets sockets;

  FanoutGroup() {
    this(KERNEL);
  }

  FanoutGroup(Sockets sockets) {
    this.sockets = sockets;
  }

  /** Puts the socket of {@code handle} (an activated live capture) into this group. */
  void join(long handle, String iface) throws IOException {
    int fd = Pcap.pcap_fileno(handle);
    if (fd < 0) {
      throw new IOException(iface + ": no capture socket to join a fanout group with");
    }
    joinSocket(fd, iface);
  }

  /** Puts the packet socket {@code fd} into this group. */
  synchronized void joinSocket(int fd, String iface) throws IOException {
    int mode =
        formed
            ? Libpcap.PACKET_FANOUT_HASH
            : Libpcap.PACKET_FANOUT_HASH | Libpcap.PACKET_FANOUT_FLAG_UNIQUEID;
    try {
      sockets.setFanout(fd, id | (mode << 16));
    } catch (LastErrorException e) {
      throw new IOException(
          iface
              + ": cannot join an AF_PACKET fanout group (errno "
              + e.getErrorCode()
              + "; needs Linux 4.2 or later)",
          e);
    }
    // the kernel took the socket into a group (else setsockopt fails), but reads a hash group's
    // membership back as its id alone: group 0 reads as 0, as no group does, so only a later
    // member can be checked against the first one's id
    int joined = groupOf(sockets, fd, iface);
    if (formed && joined != id) {
      throw new IOException(
          iface
              + ": the capture socket is not in fanout group "
              + id
              + " (it says "
              + joined
              + ")");
    }
    id = joined;
    formed = true;
  }

  /**
   * The fanout group id the socket {@code fd} is in; 0 for none, and for group 0 with the hash mode
   * (the kernel reports id, mode and flags in one value, and the hash mode is 0).
   */
  static int groupOf(Sockets sockets, int fd, String iface) throws IOException {
    try {
      return sockets.fanout(fd) & 0xFFFF;
    } catch (LastErrorException e) {
      throw new IOException(
          iface + ": cannot read the fanout group's id (errno " + e.getErrorCode() + ")", e);
    }
  }

  /** The group's id (0 also before the first member joined). */
  synchronized int id() {
    return id;
  }
}
