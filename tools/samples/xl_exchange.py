#!/usr/bin/env python3
"""Both ends of an `xl migrate` over plain TCP, for the xen-unlisted-port sample.

`xl migrate -s CMD DOMAIN HOST` runs `CMD HOST xl migrate-receive` and talks to it over that
command's standard input and output (xen-project: tools/xl/xl_migrate.c). With ssh (the default)
the migration is encrypted; with a plain TCP relay in its place (netcat or socat on both hosts, a
common way to make it faster) the domain's memory crosses the network in clear. This program plays
both ends of that conversation on a real TCP connection:

  receiver: sends xl's banner "xl migration receiver ready, send binary domain data.\\n", reads
            the save file as the sender writes it (xl's header and config, the libxl stream with
            the libxc stream inside it, parsed record by record up to libxl's END), answers
            "domain received, ready to unpause", reads "domain is yours, you are cleared to
            unpause", answers "my copy unpause results are as follows" and a 0 byte
  sender:   waits for the banner, sends the save file (guest_memory.py --frame xen), and the rest
            of the conversation above

  xl_exchange.py receive --listen ADDR PORT --received FILE
  xl_exchange.py send --connect ADDR PORT --bind ADDR PORT --stream FILE --sent FILE

Each side writes every byte it got (receiver) or sent (sender) to FILE, so that make-samples.sh
can compare them with each other and with the capture. Python 3 standard library only.
"""

import argparse
import socket
import struct
import sys

BANNER = b"xl migration receiver ready, send binary domain data.\n"
READY = b"domain received, ready to unpause\0"
GO = b"domain is yours, you are cleared to unpause\0"
REPORT = b"my copy unpause results are as follows\0"
XL_HEADER = struct.Struct("<32sIIII")
XL_MAGIC = b"Xen saved domain, xl format\n \0 \r"
LIBXL_HEADER = struct.Struct(">QII")
LIBXL_IDENT = 0x4C6962786C466D74
LIBXC_IMAGE_HEADER = struct.Struct(">QIIHHI")
LIBXC_DOMAIN_HEADER = struct.Struct("<IHHHH")
RECORD = struct.Struct("<II")
LIBXL_LIBXC_CONTEXT = 1
TIMEOUT_SECONDS = 20


class Conversation:
    """A socket that records every byte read or written."""

    def __init__(self, sock):
        self.sock = sock
        self.log = bytearray()

    def read(self, n):
        out = bytearray()
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                sys.exit(f"xl_exchange: connection closed after {len(out)} of {n} bytes")
            out += chunk
        self.log += out
        return bytes(out)

    def expect(self, text):
        got = self.read(len(text))
        if got != text:
            sys.exit(f"xl_exchange: expected {text!r}, got {got!r}")

    def write(self, data):
        self.sock.sendall(data)
        self.log += data


def read_records(conv, what):
    """Records up to and including END (type 0); returns how many came before it."""
    count = 0
    while True:
        rec_type, length = RECORD.unpack(conv.read(RECORD.size))
        conv.read(length + (-length % 8))
        if rec_type == 0:
            return count
        count += 1
        if what == "libxl" and rec_type == LIBXL_LIBXC_CONTEXT:
            read_libxc(conv)


def read_libxc(conv):
    marker, ident, _, _, _, _ = LIBXC_IMAGE_HEADER.unpack(conv.read(LIBXC_IMAGE_HEADER.size))
    if marker != 0xFFFFFFFFFFFFFFFF or ident != 0x58454E46:
        sys.exit("xl_exchange: no libxc image header after LIBXC_CONTEXT")
    conv.read(LIBXC_DOMAIN_HEADER.size)
    read_records(conv, "libxc")


def receive(args):
    with socket.create_server((args.listen[0], int(args.listen[1]))) as server:
        server.settimeout(TIMEOUT_SECONDS)
        sock, _ = server.accept()
    with sock:
        sock.settimeout(TIMEOUT_SECONDS)
        conv = Conversation(sock)
        sock.sendall(BANNER)
        magic, byteorder, _, _, optional = XL_HEADER.unpack(conv.read(XL_HEADER.size))
        if magic != XL_MAGIC or byteorder != 0x01020304:
            sys.exit("xl_exchange: not an xl save-file header")
        conv.read(optional)
        ident, _, _ = LIBXL_HEADER.unpack(conv.read(LIBXL_HEADER.size))
        if ident != LIBXL_IDENT:
            sys.exit("xl_exchange: no libxl stream header")
        read_records(conv, "libxl")
        sock.sendall(READY)
        conv.expect(GO)
        sock.sendall(REPORT + b"\0")
        close(sock, "sender")
    return save(args.received, conv.log)


def send(args):
    with open(args.stream, "rb") as f:
        stream = f.read()
    sock = socket.create_connection((args.connect[0], int(args.connect[1])), TIMEOUT_SECONDS,
                                    (args.bind[0], int(args.bind[1])))
    with sock:
        conv = Conversation(sock)
        conv.expect(BANNER)
        conv.write(stream)
        conv.expect(READY)
        conv.write(GO)
        conv.expect(REPORT + b"\0")
        close(sock, "receiver")
    return save(args.sent, stream + GO)


def close(sock, peer):
    """Our FIN, then the peer's: nothing more may come after the conversation."""
    sock.shutdown(socket.SHUT_WR)
    if sock.recv(1):
        sys.exit(f"xl_exchange: the {peer} sent more after the conversation")


def save(path, data):
    with open(path, "wb") as out:
        out.write(data)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("receive")
    p.add_argument("--listen", nargs=2, metavar=("ADDR", "PORT"), required=True)
    p.add_argument("--received", required=True)
    p = sub.add_parser("send")
    p.add_argument("--connect", nargs=2, metavar=("ADDR", "PORT"), required=True)
    p.add_argument("--bind", nargs=2, metavar=("ADDR", "PORT"), required=True)
    p.add_argument("--stream", required=True)
    p.add_argument("--sent", required=True)
    args = parser.parse_args(argv)
    return receive(args) if args.command == "receive" else send(args)


if __name__ == "__main__":
    sys.exit(main())
