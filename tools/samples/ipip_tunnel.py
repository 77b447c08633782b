#!/usr/bin/env python3
"""One end of an IP-in-IP tunnel (RFC 2003, IP protocol 4), as a Linux `ipip` link would be.

Why it exists: the kernel the samples are made on has no ipip, sit, ip6tnl or GRE links
(`ip link add ... type ipip` fails with "Unknown device type"), so this process plays the tunnel:
it creates a TUN device, and every IP packet the kernel routes into it goes out through a raw
IPPROTO_IPIP socket to the far end, whose kernel builds the outer IPv4 header (protocol 4, the
tunnel's local and remote addresses); every protocol-4 packet from the far end has its outer
header taken off and is written into the TUN device, where the kernel receives the inner packet.
No encryption, no authentication: exactly what an ipip tunnel gives. The packets inside are the
kernel's own TCP traffic, unchanged.

Run it inside one host's network namespace, as root, until SIGTERM or SIGINT; it prints "ready"
once the TUN device exists (then give the device its address and bring it up):
  ipip_tunnel.py --tun ipip0 --local 10.10.0.11 --remote 10.10.0.12

Python 3 standard library only (Linux: /dev/net/tun, raw IP sockets).
"""

import argparse
import fcntl
import os
import selectors
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
IPPROTO_IPIP = 4
MAX_PACKET = 65536
IHL_MASK = 0x0F


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tun", required=True, help="name of the TUN device to create")
    parser.add_argument("--local", required=True, help="this end's outer IPv4 address")
    parser.add_argument("--remote", required=True, help="the far end's outer IPv4 address")
    args = parser.parse_args()

    tun = open_tun(args.tun)
    outer = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_IPIP)
    outer.bind((args.local, 0))
    remote = socket.inet_aton(args.remote)
    stop = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.append(True))
    selector = selectors.DefaultSelector()
    selector.register(tun, selectors.EVENT_READ, "tun")
    selector.register(outer, selectors.EVENT_READ, "outer")
    print(f"ipip_tunnel: {args.tun} {args.local} -> {args.remote} ready", file=sys.stderr, flush=True)
    sent = received = 0
    while not stop:
        for key, _ in selector.select(timeout=0.5):
            if key.data == "tun":
                packet = os.read(tun, MAX_PACKET)
                if packet and packet[0] >> 4 == 4:
                    outer.sendto(packet, (args.remote, 0))
                    sent += 1
            else:
                packet = outer.recv(MAX_PACKET)
                ihl = (packet[0] & IHL_MASK) * 4
                if len(packet) > ihl and packet[12:16] == remote:
                    os.write(tun, packet[ihl:])
                    received += 1
    print(f"ipip_tunnel: {sent} packets sent, {received} received", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
