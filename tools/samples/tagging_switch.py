#!/usr/bin/env python3
"""A one-port-group virtual switch: the host's vmknic on one side, an 802.1Q trunk on the other.

Does what an ESXi standard vSwitch does for a port group with a VLAN ID (virtual switch tagging),
or Hyper-V's `Set-VMNetworkAdapterVlan -Access`: frames the host sends on its access interface
(a tap device, where the host's IP address lives) leave on the uplink carrying an 802.1Q tag;
frames arriving on the uplink with that tag are untagged and handed to the host. Without --vlan
the switch passes untagged frames only (an access port on the management network).

Why it exists: the sample captures need real 802.1Q tags, and the kernel the samples were made on
has no 802.1Q support (CONFIG_VLAN_8021Q, bridge VLAN filtering and tc act_vlan are all absent),
so `ip link add ... type vlan` fails. The TCP/IP traffic itself is the kernel's, unchanged; this
process only adds or removes the 4-byte tag, as a switch would.

Run it inside the host's network namespace, as root; it runs until SIGTERM or SIGINT:
  tagging_switch.py --access vmk0 --uplink uplink0 --vlan 50

--lose-every N makes it a congested port: of the full-size frames (1,000 bytes or more) it would
hand to the host, every Nth is dropped, so the sender's kernel retransmits them, and a capture on
the sender's side of the trunk holds both copies of each, as real loss between a sensor and the
receiver gives it.

Python 3 standard library only (Linux: TUN/TAP and AF_PACKET).
"""

import argparse
import fcntl
import os
import selectors
import signal
import socket
import struct
import sys

# linux/if_tun.h
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
# linux/if_packet.h, linux/socket.h
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
AUXDATA = struct.Struct("=IIIHHHH")  # tp_status, tp_len, tp_snaplen, tp_mac, tp_net, tci, tpid
ETH_P_ALL = 0x0003
ETH_P_8021Q = 0x8100
ETH_ADDRS_LEN = 12          # destination + source MAC (IEEE 802.3)
VLAN_TAG_LEN = 4            # TPID + TCI (IEEE 802.1Q)
VLAN_VID_MASK = 0x0FFF
MAX_FRAME = 65536
LARGE_FRAME = 1000          # --lose-every drops only frames this long or longer (data, not ACKs)


def open_tap(name):
    """Attach to the tap device `name` (created with `ip tuntap add NAME mode tap`)."""
    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifreq = struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI).ljust(40, b"\0")
    fcntl.ioctl(fd, TUNSETIFF, ifreq)
    return fd


def open_uplink(name):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    sock.bind((name, ETH_P_ALL))
    return sock


def tag(frame, vlan):
    """Insert an 802.1Q tag (priority 0) after the MAC addresses."""
    return frame[:ETH_ADDRS_LEN] + struct.pack("!HH", ETH_P_8021Q, vlan) + frame[ETH_ADDRS_LEN:]


def received_vlan(frame, ancillary):
    """(vlan or None, frame without its tag). The kernel usually moves a received tag out of the
    frame into the packet's metadata, which PACKET_AUXDATA reports; an inline tag is read too."""
    for level, kind, data in ancillary:
        if level == SOL_PACKET and kind == PACKET_AUXDATA and len(data) >= AUXDATA.size:
            status, _, _, _, _, tci, _ = AUXDATA.unpack_from(data)
            if status & TP_STATUS_VLAN_VALID:
                return tci & VLAN_VID_MASK, frame
    if len(frame) >= ETH_ADDRS_LEN + VLAN_TAG_LEN and \
            struct.unpack_from("!H", frame, ETH_ADDRS_LEN)[0] == ETH_P_8021Q:
        tci = struct.unpack_from("!H", frame, ETH_ADDRS_LEN + 2)[0]
        return tci & VLAN_VID_MASK, frame[:ETH_ADDRS_LEN] + frame[ETH_ADDRS_LEN + VLAN_TAG_LEN:]
    return None, frame


def run(access, uplink, vlan, lose_every=0):
    tap = open_tap(access)
    trunk = open_uplink(uplink)
    counts = {"to_trunk": 0, "to_host": 0, "dropped": 0, "lost": 0}
    large = 0
    stopping = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.append(True))
    selector = selectors.DefaultSelector()
    selector.register(tap, selectors.EVENT_READ, "tap")
    selector.register(trunk, selectors.EVENT_READ, "trunk")
    print(f"tagging_switch: {access} <-> {uplink} vlan={vlan or 'untagged'} ready",
          file=sys.stderr, flush=True)
    while not stopping:
        try:
            events = selector.select(timeout=0.5)
        except InterruptedError:
            continue
        for key, _ in events:
            if key.data == "tap":
                frame = os.read(tap, MAX_FRAME)
                trunk.send(tag(frame, vlan) if vlan else frame)
                counts["to_trunk"] += 1
                continue
            frame, ancillary, _, address = trunk.recvmsg(MAX_FRAME, socket.CMSG_SPACE(64))
            if address[2] == PACKET_OUTGOING:
                continue  # our own transmission, seen again by the packet socket
            frame_vlan, untagged = received_vlan(frame, ancillary)
            if frame_vlan == (vlan or None) and lose_every and len(untagged) >= LARGE_FRAME:
                large += 1
                if large % lose_every == 0:
                    counts["lost"] += 1
                    continue
            if frame_vlan == (vlan or None):
                os.write(tap, untagged)
                counts["to_host"] += 1
            else:
                counts["dropped"] += 1
    print(f"tagging_switch: stopped {counts}", file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--access", required=True, help="tap device holding the host's address")
    parser.add_argument("--uplink", required=True, help="trunk interface (a veth end)")
    parser.add_argument("--vlan", type=int, default=0, help="802.1Q VLAN ID (1-4094); 0: untagged")
    parser.add_argument("--lose-every", type=int, default=0, metavar="N",
                        help="drop every Nth full-size frame to the host (0: none)")
    args = parser.parse_args(argv)
    if not 0 <= args.vlan <= 4094:
        parser.error("--vlan must be 0..4094")
    if args.lose_every < 0:
        parser.error("--lose-every must be 0 or more")
    run(args.access, args.uplink, args.vlan, args.lose_every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
