#!/usr/bin/env python3
"""Drive one side of a QEMU live migration over QMP (the QEMU Machine Protocol, JSON over a socket).

  qmp.py SOCKET incoming URI [--capability NAME]... [--parameter NAME=VALUE]...
  qmp.py SOCKET migrate URI [--capability NAME]... [--parameter NAME=VALUE]... [--timeout S]
         [--postcopy-after S [--pause-after S]] [--run-guest]
  qmp.py SOCKET wait-incoming [--timeout S]
  qmp.py SOCKET recover URI [--timeout S]
  qmp.py SOCKET resume URI [--timeout S]
  qmp.py SOCKET quit

`incoming` sets the capabilities and parameters on a destination started with `-incoming defer`
and makes it listen (migrate-incoming); `migrate` sets the same on the source, starts the
migration and polls query-migrate until it completes (exit 1 if it fails or times out);
`wait-incoming` waits until the destination has received the whole VM. `--postcopy-after S`
switches a migration with the postcopy-ram capability to postcopy S seconds after it started
(migrate-start-postcopy); `--run-guest` resumes the source's paused guest first (cont), so that a
guest running on the destination after that switch asks for the pages it touches.
`--pause-after S` then breaks the postcopy migration S seconds after the switch (migrate-pause,
which shuts its connections down as a network failure would) and returns once the source is
paused; `recover` makes the paused destination listen on a new URI (migrate-recover) and `resume`
reconnects the source to it (migrate with resume) and waits until the migration completes: QEMU's
postcopy recovery. Parameters whose value is a number are sent as numbers. Python 3 standard
library only.
"""

import argparse
import json
import socket
import sys
import time

POLL_SECONDS = 0.1


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.reader = self.sock.makefile("r", encoding="utf-8")
        greeting = self._read()
        if "QMP" not in greeting:
            raise RuntimeError(f"not a QMP greeting: {greeting}")
        self.execute("qmp_capabilities")

    def _read(self):
        line = self.reader.readline()
        if not line:
            raise RuntimeError("QEMU closed the QMP socket")
        return json.loads(line)

    def execute(self, command, **arguments):
        request = {"execute": command}
        if arguments:
            request["arguments"] = arguments
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                raise RuntimeError(f"{command}: {reply['error'].get('desc', reply['error'])}")
            return reply.get("return")


def configure(qmp, capabilities, parameters):
    if capabilities:
        qmp.execute("migrate-set-capabilities",
                    capabilities=[{"capability": c, "state": True} for c in capabilities])
    if parameters:
        values = {}
        for item in parameters:
            name, _, value = item.partition("=")
            values[name] = int(value) if value.isdigit() else value
        qmp.execute("migrate-set-parameters", **values)


def wait_status(qmp, timeout, done):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = qmp.execute("query-migrate")
        status = info.get("status", "none")
        if status in ("failed", "cancelled"):
            raise RuntimeError(f"migration {status}: {info.get('error-desc', '')}")
        if done(status):
            return info
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"migration not done after {timeout} s: {qmp.execute('query-migrate')}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("socket", help="the QMP unix socket (-qmp unix:PATH,server=on,wait=off)")
    parser.add_argument(
        "action", choices=("incoming", "migrate", "wait-incoming", "recover", "resume", "quit"))
    parser.add_argument("uri", nargs="?", help="tcp:HOST:PORT")
    parser.add_argument("--capability", action="append", default=[], metavar="NAME")
    parser.add_argument("--parameter", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--postcopy-after", type=float, metavar="S")
    parser.add_argument("--pause-after", type=float, metavar="S")
    parser.add_argument("--run-guest", action="store_true")
    args = parser.parse_args(argv)
    if args.action in ("incoming", "migrate", "recover", "resume") and not args.uri:
        parser.error(f"{args.action} needs a URI")
    if args.pause_after is not None and args.postcopy_after is None:
        parser.error("--pause-after needs --postcopy-after")
    try:
        qmp = Qmp(args.socket)
        if args.action == "quit":
            qmp.execute("quit")
            return 0
        if args.action == "wait-incoming":
            # The destination reports "completed" once it has loaded the whole VM.
            wait_status(qmp, args.timeout, lambda s: s == "completed")
            return 0
        if args.action == "recover":
            wait_status(qmp, args.timeout, lambda s: s == "postcopy-paused")
            qmp.execute("migrate-recover", uri=args.uri)
            return 0
        if args.action == "resume":
            qmp.execute("migrate", uri=args.uri, resume=True)
            return report(wait_status(qmp, args.timeout, lambda s: s == "completed"))
        configure(qmp, args.capability, args.parameter)
        if args.action == "incoming":
            qmp.execute("migrate-incoming", uri=args.uri)
            return 0
        if args.run_guest:
            qmp.execute("cont")
        qmp.execute("migrate", uri=args.uri)
        if args.postcopy_after is not None:
            time.sleep(args.postcopy_after)
            qmp.execute("migrate-start-postcopy")
        if args.pause_after is not None:
            time.sleep(args.pause_after)
            if qmp.execute("query-migrate").get("status") != "postcopy-active":
                raise RuntimeError("the migration left postcopy before it could be paused")
            qmp.execute("migrate-pause")
            wait_status(qmp, args.timeout, lambda s: s == "postcopy-paused")
            print("qmp: postcopy migration paused", file=sys.stderr)
            return 0
        return report(wait_status(qmp, args.timeout, lambda s: s == "completed"))
    except (OSError, RuntimeError, ValueError) as e:
        print(f"qmp: {args.action}: {e}", file=sys.stderr)
        return 1


def report(info):
    """Prints what QEMU says the migration moved; 0, the exit status of a completed migration."""
    ram = info.get("ram", {})
    print(f"qmp: migration completed in {info.get('total-time')} ms: "
          f"{ram.get('transferred')} bytes transferred, {ram.get('normal')} normal pages, "
          f"{ram.get('duplicate')} zero pages, {ram.get('multifd-bytes', 0)} bytes on multifd "
          f"channels", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
