#!/usr/bin/env python3
"""Chi-square against uniform of 64 KiB windows of compressed and random bytes (BENCHMARKS.md,
"Later windows that stop looking encrypted"): how often each compressor's output would pass the
window's test of ResampleWindow (255 + 10 standard deviations, about 481) or the first sample's
(255 + 5, about 368).

    python3 tools/bench/window_chi.py [WORKDIR]

Builds a 96 MiB memory-like image (the first 2 MiB of each of /usr/bin's first 400 files, the
licence texts and 200 shared libraries, as 4 KiB pages of which 30 % are made zero pages, seed 1),
compresses it with the zstd, gzip, lz4 and xz command-line tools, and prints, for 200 windows of
each file, the chi-square's minimum, 5th percentile and median, the entropy's range, and how many
windows stay at or below each limit. Needs python3, zstd, gzip, lz4, xz (Debian packages of those
names).
"""
import glob
import math
import os
import random
import subprocess
import sys

WINDOW = 64 << 10
WINDOW_LIMIT = 255 + 10 * math.sqrt(2 * 255)
SAMPLE_LIMIT = 255 + 5 * math.sqrt(2 * 255)


def image(path):
    random.seed(1)
    files = (sorted(glob.glob('/usr/bin/*'))[:400]
             + sorted(glob.glob('/usr/share/common-licenses/*'))
             + sorted(glob.glob('/usr/lib/x86_64-linux-gnu/*.so*'))[:200])
    data = bytearray()
    for f in files:
        if os.path.isfile(f):
            with open(f, 'rb') as fh:
                data += fh.read(2 << 20)
        if len(data) > 96 << 20:
            break
    out = bytearray()
    for i in range(0, len(data) - 4096, 4096):
        out += bytes(4096) if random.random() < 0.3 else data[i:i + 4096]
    with open(path, 'wb') as fh:
        fh.write(out)


def stats(buf):
    h = [0] * 256
    for b in buf:
        h[b] += 1
    n = len(buf)
    e = n / 256
    chi = sum((c - e) ** 2 / e for c in h)
    ent = -sum((c / n) * math.log2(c / n) for c in h if c)
    return chi, ent


def main():
    work = sys.argv[1] if len(sys.argv) > 1 else 'target/bench/window-chi'
    os.makedirs(work, exist_ok=True)
    mem = os.path.join(work, 'mem.bin')
    if not os.path.exists(mem):
        image(mem)
    rand = os.path.join(work, 'random.bin')
    with open(rand, 'wb') as fh:
        fh.write(random.Random(2).randbytes(len(open(mem, 'rb').read())))
    made = {'random (uniform)': rand}
    for name, cmd in [('zstd -1', ['zstd', '-q', '-1', '-c']), ('zstd -3', ['zstd', '-q', '-3', '-c']),
                      ('zstd -19', ['zstd', '-q', '-19', '-c']), ('gzip -1', ['gzip', '-1', '-c']),
                      ('gzip -6', ['gzip', '-6', '-c']), ('lz4', ['lz4', '-q', '-c']),
                      ('xz -1', ['xz', '-1', '-c'])]:
        out = os.path.join(work, name.replace(' ', '') + '.out')
        with open(mem, 'rb') as src, open(out, 'wb') as dst:
            subprocess.run(cmd, stdin=src, stdout=dst, check=True)
        made[name] = out
    print(f'{"bytes":18} {"windows":>7} {"chi min":>8} {"p5":>8} {"median":>8}  {"entropy":>13}'
          f'  {"<= 481":>6} {"<= 368":>6}')
    for name, path in made.items():
        d = open(path, 'rb').read()
        step = max(WINDOW, len(d) // 200)
        chis, ents = [], []
        for off in range(4096, len(d) - WINDOW, step):
            c, e = stats(d[off:off + WINDOW])
            chis.append(c)
            ents.append(e)
        chis.sort()
        q = lambda p: chis[min(len(chis) - 1, int(p * len(chis)))]
        print(f'{name:18} {len(chis):7d} {chis[0]:8.0f} {q(0.05):8.0f} {q(0.5):8.0f}'
              f'  {min(ents):.3f}-{max(ents):.3f}'
              f'  {sum(c <= WINDOW_LIMIT for c in chis):6d} {sum(c <= SAMPLE_LIMIT for c in chis):6d}')


if __name__ == '__main__':
    main()
