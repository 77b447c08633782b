#!/usr/bin/env python3
"""Compressed and encrypted page streams for make-stream-samples.sh.

  page_stream.py zlib IN OUT                 zlib (RFC 1950, with its 78 xx header) of IN
  page_stream.py hyperv-compressed --codec deflate|lz4 --pages N --seed S OUT
                                             guest_memory.hyperv_compressed_stream, checked by
                                             decompressing every block again
  page_stream.py seal --key HEX --salt HEX [--record-bytes N] IN OUT
                                             AES-256-GCM records of N plaintext bytes (default
                                             16384; stand-in for encrypted vMotion):
                                             u32 BE length of what follows, 12-byte nonce
                                             (4-byte salt + u64 BE record counter), ciphertext,
                                             16-byte tag; the length field is the associated data
  page_stream.py open --key HEX IN OUT       the reverse of seal (checks every tag)
  page_stream.py negotiation --bytes N OUT   N bytes of a clear XML negotiation (invented: VM
                                             settings as a migration might send before its memory)
  page_stream.py frame --salt HEX [--record-bytes N] IN OUT
                                             IN in records of N bytes behind the same clear 16-byte
                                             headers as seal's (length, salt, counter), NOT
                                             encrypted: the attack on a tolerance of such headers

Python 3 standard library, except seal/open: they need the `cryptography` package (Debian:
python3-cryptography, run with /usr/bin/python3). Same input, same output bytes, every run.
"""

import argparse
import struct
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import guest_memory  # noqa: E402

RECORD_PLAINTEXT = 16 * 1024
NONCE_SIZE, TAG_SIZE = 12, 16


def hyperv_compressed(args):
    chunks = list(guest_memory.hyperv_compressed_stream(args.seed, args.pages, args.codec))
    expand = {"deflate": lambda b: zlib.decompress(b, -15),
              "lz4": guest_memory.lz4_block_decode}[args.codec]
    pages = b"".join(guest_memory.guest_pages(args.seed, args.pages))
    restored = b""
    for block in chunks[1:]:
        packed_len, raw_len = struct.unpack_from("<II", block)
        raw = expand(block[8:])
        if len(block) != 8 + packed_len or len(raw) != raw_len:
            sys.exit("page_stream: a compressed block's lengths are wrong")
        restored += raw
    if restored != pages:
        sys.exit("page_stream: the compressed blocks do not give the guest pages back")
    return b"".join(chunks)


def seal(key, salt, data, record=RECORD_PLAINTEXT):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    aead, out = AESGCM(key), bytearray()
    for counter, start in enumerate(range(0, len(data), record), 1):
        nonce = salt + struct.pack(">Q", counter)
        length = struct.pack(">I", NONCE_SIZE + min(record, len(data) - start) + TAG_SIZE)
        out += length + nonce + aead.encrypt(nonce, data[start:start + record], length)
    return bytes(out)


def negotiation(size):
    """A clear prologue: XML settings of a VM, as text a migration might exchange before encrypting."""
    lines, i = ['<?xml version="1.0" encoding="utf-8"?>', "<MigrationNegotiation>"], 0
    while sum(len(line) + 1 for line in lines) < size:
        lines.append(f'  <Setting name="Device{i:04d}" type="{("Memory", "Processor", "Nic", "Disk")[i % 4]}" '
                     f'value="{(i * 2654435761) % 1000003}" state="Enabled"/>')
        i += 1
    return ("\n".join(lines) + "\n").encode()[:size]


def open_records(key, data):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    aead, out, at = AESGCM(key), bytearray(), 0
    while at < len(data):
        length = data[at:at + 4]
        body = data[at + 4:at + 4 + struct.unpack(">I", length)[0]]
        out += aead.decrypt(body[:NONCE_SIZE], body[NONCE_SIZE:], length)
        at += 4 + len(body)
    return bytes(out)


def frame(salt, data, record=RECORD_PLAINTEXT):
    out = bytearray()
    for counter, start in enumerate(range(0, len(data), record), 1):
        body = data[start:start + record]
        out += struct.pack(">I", NONCE_SIZE + len(body)) + salt + struct.pack(">Q", counter) + body
    return bytes(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("zlib")
    p.add_argument("input")
    p.add_argument("output")
    p = sub.add_parser("hyperv-compressed")
    p.add_argument("--codec", choices=("deflate", "lz4"), default="deflate")
    p.add_argument("--pages", type=int, default=24)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("output")
    p = sub.add_parser("frame")
    p.add_argument("--salt", required=True, help="the headers' salt, 8 hex digits")
    p.add_argument("--record-bytes", type=int, default=RECORD_PLAINTEXT)
    p.add_argument("input")
    p.add_argument("output")
    p = sub.add_parser("negotiation")
    p.add_argument("--bytes", type=int, required=True)
    p.add_argument("output")
    for name in ("seal", "open"):
        p = sub.add_parser(name)
        p.add_argument("--key", required=True, help="AES-256 key, 64 hex digits")
        if name == "seal":
            p.add_argument("--salt", required=True, help="nonce salt, 8 hex digits")
            p.add_argument("--record-bytes", type=int, default=RECORD_PLAINTEXT,
                           help="plaintext bytes per record (default 16384)")
        p.add_argument("input")
        p.add_argument("output")
    args = parser.parse_args(argv)
    if args.command == "hyperv-compressed":
        out = hyperv_compressed(args)
    elif args.command == "negotiation":
        out = negotiation(args.bytes)
    else:
        data = Path(args.input).read_bytes()
        if args.command == "zlib":
            out = zlib.compress(data, 6)
            if zlib.decompress(out) != data:
                sys.exit("page_stream: zlib round trip failed")
        elif args.command == "frame":
            out = frame(bytes.fromhex(args.salt), data, args.record_bytes)
        elif args.command == "seal":
            key, salt = bytes.fromhex(args.key), bytes.fromhex(args.salt)
            if len(key) != 32 or len(salt) != 4:
                parser.error("--key must be 32 bytes and --salt 4 bytes")
            out = seal(key, salt, data, args.record_bytes)
            if open_records(key, out) != data:
                sys.exit("page_stream: the sealed records do not open to the input")
        else:
            out = open_records(bytes.fromhex(args.key), data)
    Path(args.output).write_bytes(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
