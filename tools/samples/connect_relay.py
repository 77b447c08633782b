#!/usr/bin/env python3
"""An HTTP CONNECT relay (RFC 9110 9.3.6), one connection at a time, as a forward proxy is to it.

  connect_relay.py ADDRESS:PORT

Listens on ADDRESS:PORT; for each client reads the CONNECT request up to its empty line, connects
to the host and port it names, answers "HTTP/1.1 200 Connection established" and passes bytes both
ways until both sides have closed, then takes the next client. It relays, it does not encrypt:
what the client sends after its request reaches the target as it was sent. Prints one line per
connection to stderr. Python 3 standard library only.
"""

import socket
import sys
import threading

MAX_REQUEST_BYTES = 4096


def pipe(source, sink, change=lambda data: data):
    """Passes source's bytes to sink, through change, until source ends; then ends sink's side."""
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(change(data))
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def read_request(client):
    request = b""
    while b"\r\n\r\n" not in request:
        byte = client.recv(1)  # byte by byte: what follows the request is not the relay's to read
        if not byte or len(request) >= MAX_REQUEST_BYTES:
            raise OSError("no complete CONNECT request")
        request += byte
    method, target, _ = request.split(b"\r\n", 1)[0].decode("ascii").split(" ", 2)
    if method != "CONNECT":
        raise OSError(f"not a CONNECT request: {method}")
    host, _, port = target.rpartition(":")
    return host.strip("[]"), int(port)


def relay(client):
    with client:
        host, port = read_request(client)
        with socket.create_connection((host, port)) as target:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            back = threading.Thread(target=pipe, args=(target, client))
            back.start()
            pipe(client, target)
            back.join()
        print(f"connect_relay: relayed a connection to {host}:{port}", file=sys.stderr, flush=True)


def main(argv):
    if len(argv) != 2 or ":" not in argv[1]:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    address, _, port = argv[1].rpartition(":")
    with socket.create_server((address, int(port))) as server:
        print(f"connect_relay: listening on {address}:{port}", file=sys.stderr, flush=True)
        while True:
            client, _ = server.accept()
            try:
                relay(client)
            except (OSError, ValueError) as e:
                print(f"connect_relay: {e}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
