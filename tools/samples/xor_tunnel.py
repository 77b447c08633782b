#!/usr/bin/env python3
"""A tunnel end that "encrypts" with a keystream it reuses, one connection at a time.

  xor_tunnel.py [--key TEXT] [--block BYTES] LISTEN_ADDRESS:PORT TARGET_ADDRESS:PORT

Listens on LISTEN_ADDRESS:PORT; for each client connects to TARGET_ADDRESS:PORT and passes bytes
both ways, each XORed with a keystream: SHAKE-256 of the key, BLOCK bytes long (default 65536),
started again at every BLOCK bytes of a direction, as a stream cipher whose nonce never changes
does. XOR is its own inverse, so two ends of the same key make a tunnel: the entry scrambles what
its client sends, the exit gives it back to its target as it was. On the wire every byte looks
random to a byte histogram, but equal plaintext BLOCK bytes apart is equal there too: it hides
nothing from anyone who knows one block. The attack on a sensor that judges encryption by byte
statistics alone. Prints one line per connection to stderr. Python 3 standard library only.
"""

import argparse
import hashlib
import socket
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from connect_relay import pipe  # noqa: E402  the same pipe, through the keystream


class Keystream:
    """XORs one direction's bytes with the block keystream, from where the last call ended."""

    def __init__(self, key, block):
        self.pad = hashlib.shake_256(key.encode()).digest(block)
        self.at = 0

    def apply(self, data):
        block = len(self.pad)
        out = bytearray(len(data))
        done = 0
        while done < len(data):
            n = min(len(data) - done, block - self.at)
            piece = int.from_bytes(data[done:done + n], "big") ^ int.from_bytes(
                self.pad[self.at:self.at + n], "big")
            out[done:done + n] = piece.to_bytes(n, "big")
            done += n
            self.at = (self.at + n) % block
        return bytes(out)


def tunnel(client, target_address, key, block):
    with client, socket.create_connection(target_address) as target:
        back = threading.Thread(target=pipe, args=(target, client, Keystream(key, block).apply))
        back.start()
        pipe(client, target, Keystream(key, block).apply)
        back.join()
    print(f"xor_tunnel: passed a connection to {target_address[0]}:{target_address[1]}",
          file=sys.stderr, flush=True)


def address(text):
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"not ADDRESS:PORT: {text}")
    return host.strip("[]"), int(port)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--key", default="migaudit sample key")
    parser.add_argument("--block", type=int, default=65536, help="keystream length, bytes")
    parser.add_argument("listen", type=address)
    parser.add_argument("target", type=address)
    args = parser.parse_args(argv)
    if args.block < 1:
        parser.error("--block must be at least 1")
    with socket.create_server(args.listen) as server:
        print(f"xor_tunnel: listening on {args.listen[0]}:{args.listen[1]}", file=sys.stderr,
              flush=True)
        while True:
            client, _ = server.accept()
            try:
                tunnel(client, args.target, args.key, args.block)
            except OSError as e:
                print(f"xor_tunnel: {e}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
