#!/usr/bin/env python3
"""Ciphertext behind clear record headers against compressed data, by byte histogram.

Prints, for 256 KiB samples of each kind, the chi-square of the whole histogram against uniform
(the agent's uniform test: at most 255 + 5 sd = 368) and without its 8 most deviating byte values
(CiphertextBehindHeaders: at most 247 + 4 sd = 336), and the share of the sample those 8 values
hold above their expected count (CiphertextBehindHeaders: at most 1.5 %). For compressed data it prints the lowest "without" value over 12
samples spread through the output, the one nearest to passing.

  ciphertext behind headers  uniform bytes (a seeded generator) in records of R bytes, each behind
                             a 16-byte header (u32 BE length, 4-byte salt, u64 BE counter) and
                             followed by a 16-byte tag, as AES-GCM records would be
  random + x% zeros/pointers uniform bytes with x % replaced by zero bytes or 64-bit kernel pointers
  N KiB clear prologue       the first N KiB of page_stream.py's XML negotiation, then uniform bytes
  compressed                 gzip -1/-6/-9, zstd -1/-3/-19, lz4, xz -6 of 16 MiB of guest-memory-like
                             pages (tools/samples/guest_memory.py --frame raw, seed 7) and of 16 MiB
                             of /usr/bin

Usage: tools/bench/headers-vs-compressed.py   (needs gzip, zstd, lz4 and xz on PATH)
"""

import os
import random
import struct
import subprocess
import sys
import tempfile

N = 256 * 1024
LEFT_OUT = 8
HERE = os.path.dirname(os.path.abspath(__file__))


def measure(sample):
    expected = len(sample) / 256
    counts = [sample.count(bytes([b])) for b in range(256)]
    terms = sorted((((c - expected) ** 2 / expected), c) for c in counts)
    rest = sum(t for t, _ in terms[:256 - LEFT_OUT])
    above = sum(max(0.0, c - expected) for _, c in terms[256 - LEFT_OUT:])
    return sum(t for t, _ in terms), rest, above / len(sample)


def headered(record, seed):
    rng, out, counter = random.Random(seed), bytearray(), 1
    while len(out) < N:
        out += struct.pack(">I", 12 + record + 16) + b"VMot" + struct.pack(">Q", counter)
        out += rng.randbytes(record + 16)
        counter += 1
    return bytes(out[:N])


def mixed(share, kind, seed):
    rng = random.Random(seed)
    out = bytearray(rng.randbytes(N))
    k = int(N * share)
    if kind == "zeros":
        out[:k] = bytes(k)
    else:
        for at in range(0, k - 7, 8):
            out[at:at + 8] = struct.pack("<Q", 0xFFFF888000000000 | rng.getrandbits(32) << 3)
    return bytes(out)


def row(name, full, rest, share):
    verdict = lambda ok: "encrypted" if ok else "not"
    print(f"{name:38s} {full:9.0f} {rest:9.0f} {100 * share:7.2f}%   "
          f"{verdict(full <= 368):10s} {verdict(full <= 368 or (rest <= 336 and share <= 0.015))}")


def main():
    print(f"{'256 KiB sample':38s} {'chi-sq':>9s} {'w/o 8':>9s} {'share':>8s}   "
          f"{'whole test':10s} with headers test")
    for record in (1024, 2048, 4096, 8192, 16384):
        row(f"ciphertext, {record}-byte records", *measure(headered(record, record)))
    negotiation = subprocess.run(
        [sys.executable, os.path.join(HERE, "..", "samples", "page_stream.py"), "negotiation", "--bytes",
         "65536", "/dev/stdout"], check=True, capture_output=True).stdout
    for kib in (1, 2, 4, 8):
        prologue = negotiation[:kib * 1024]
        row(f"{kib} KiB clear prologue", *measure(prologue + random.Random(kib).randbytes(N - len(prologue))))
    for share in (0.01, 0.02, 0.05):
        for kind in ("zeros", "pointers"):
            row(f"random + {share:.0%} {kind}", *measure(mixed(share, kind, 1)))
    with tempfile.TemporaryDirectory() as work:
        memory = os.path.join(work, "memory")
        subprocess.run([sys.executable, os.path.join(HERE, "..", "samples", "guest_memory.py"),
                        "--frame", "raw", "--pages", "4096", "--seed", "7", "-o", memory], check=True)
        binaries = os.path.join(work, "binaries")
        with open(binaries, "wb") as out:
            for name in sorted(os.listdir("/usr/bin")):
                path = os.path.join("/usr/bin", name)
                if os.path.isfile(path) and not os.path.islink(path) and out.tell() < 16 << 20:
                    out.write(open(path, "rb").read()[:16 << 20])
        for data, label in ((memory, "guest memory"), (binaries, "/usr/bin")):
            for tool in (["gzip", "-1"], ["gzip", "-6"], ["gzip", "-9"], ["zstd", "-1"],
                         ["zstd", "-3"], ["zstd", "-19"], ["lz4", "-1"], ["xz", "-6"]):
                packed = subprocess.run(tool + ["-c", data], check=True, capture_output=True).stdout
                step = max(N, (len(packed) - N - 4096) // 12)
                samples = [packed[at:at + N] for at in range(4096, len(packed) - N, step)]
                best = min((measure(s) for s in samples), key=lambda m: m[1])
                row(f"{' '.join(tool)} of {label}", *best)


if __name__ == "__main__":
    main()
