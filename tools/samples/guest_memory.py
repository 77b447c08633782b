#!/usr/bin/env python3
"""Deterministic "guest memory" for the migaudit sample captures.

Emits 4 KiB pages that look like the RAM of a running Linux guest -- zero pages, pages of
English-like text, pages of 64-bit kernel pointers and small integers, pages of x86-64 code --
and frames them the way a live-migration stream would carry them:

  raw      the pages back to back
  vmotion  vMotion-style plaintext (PROTOCOLS.md, reverse-engineered on ESXi 6.0): the 8 bytes
           00 00 00 00 03 00 05 00, an 84-byte header, then page bundles
           (u32 LE magic 0x00000e04, u32 LE page count, the raw 4 KiB pages)
  hyperv   Hyper-V-style TCP 6600: u32 LE header length, a small header, then the raw pages
  xen      what `xl migrate` sends (xen-project: tools/xl/xl_saverestore.c, and the formats of
           docs/specs/libxl-migration-stream.pandoc and libxc-migration-stream.pandoc): xl's
           save-file header ("Xen saved domain, xl format\n \0 \r", byte-order 0x01020304, flags,
           the domain config as JSON), the libxl stream (ident "LibxlFmt", version 2, then
           records: LIBXC_CONTEXT, followed by the libxc stream: image header with eight 0xFF
           and "XENF", x86 HVM domain header, PAGE_DATA records of raw pages, END), libxl END

The fields inside the vMotion and Hyper-V headers are invented (no public description exists):
only the leading bytes and the bundle magic are taken from PROTOCOLS.md. The Xen framing follows
Xen's published stream formats; only the domain config's contents are invented. Same seed, same bytes,
on any Python 3: the generator is a self-contained splitmix64, not the `random` module.

Python 3 standard library only. Example:
  guest_memory.py --frame vmotion --pages 24 --seed 50 -o stream.bin
"""

import argparse
import struct
import sys

PAGE_SIZE = 4096
VMOTION_PREFIX = bytes.fromhex("0000000003000500")
VMOTION_HEADER_SIZE = 84
VMOTION_BUNDLE_MAGIC = 0x00000E04
VMOTION_MAX_BUNDLE_PAGES = 128
HYPERV_HEADER_VERSION = 1

# Weighted page kinds, roughly what a lightly loaded Linux guest's RAM holds.
PAGE_KINDS = (("zero", 20), ("text", 30), ("data", 30), ("code", 20))

VOCABULARY = (
    "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by",
    "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an",
    "had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there",
    "been", "if", "more", "when", "will", "would", "who", "so", "no", "memory", "page", "kernel",
    "process", "server", "network", "request", "session", "customer", "account", "invoice",
    "order", "database", "table", "record", "value", "error", "warning", "started", "stopped",
    "connection", "user", "password", "token", "service", "virtual", "machine", "host",
    "storage", "backup", "report", "monthly", "total", "amount", "payment", "address", "system",
)

# x86-64 instruction encodings seen in compiled C (prologues, moves, tests, branches, returns).
X86_INSTRUCTIONS = (
    "55", "4889e5", "4157", "4156", "4155", "4154", "53", "4883ec20", "4883ec08", "488b45f8",
    "488945f0", "89c7", "4889c7", "4889de", "31c0", "31d2", "4885c0", "85c0", "8b4708",
    "488b4310", "48c7c0ffffffff", "b801000000", "0fb6c0", "4801d0", "4839c2", "5b", "415c",
    "415d", "415e", "415f", "5d", "c9", "c3",
)
X86_CALL = 0xE8          # call rel32
X86_JCC_SHORT = (0x74, 0x75, 0x7E, 0x7F, 0xEB)  # je, jne, jle, jg, jmp rel8
X86_PADDING = bytes.fromhex("cc")


class SplitMix64:
    """Tiny deterministic PRNG (Steele, Lea, Flood 2014); identical output on every platform."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed & self.MASK

    def next64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next64() % n

    def choice(self, items):
        return items[self.below(len(items))]

    def weighted(self, pairs):
        pick = self.below(sum(weight for _, weight in pairs))
        for item, weight in pairs:
            if pick < weight:
                return item
            pick -= weight
        raise AssertionError("unreachable")

    def bytes(self, n):
        return b"".join(struct.pack("<Q", self.next64()) for _ in range((n + 7) // 8))[:n]


def zero_page(_rng):
    return bytes(PAGE_SIZE)


def text_page(rng):
    """Sentences from VOCABULARY; one page in three is a file tail padded with zeros."""
    limit = PAGE_SIZE if rng.below(3) else 1024 + rng.below(PAGE_SIZE - 1024)
    out = bytearray()
    while len(out) < limit:
        words = [rng.choice(VOCABULARY) for _ in range(4 + rng.below(12))]
        sentence = " ".join(words).capitalize() + ("." if rng.below(5) else ",")
        out += sentence.encode("ascii") + (b"\n" if rng.below(6) == 0 else b" ")
    return bytes(out[:limit]).ljust(PAGE_SIZE, b"\0")


def data_page(rng):
    """512 little-endian u64: direct-map pointers 0xffff8880_xxxxxxxx, small integers, zeros."""
    region = 0xFFFF888000000000 + (rng.below(64) << 24)  # pointers cluster in a few 16 MiB areas
    words = []
    for _ in range(PAGE_SIZE // 8):
        kind = rng.below(10)
        if kind < 5:
            words.append(region + (rng.below(1 << 18) << 6))  # 64-byte aligned objects
        elif kind < 8:
            words.append(rng.below(4096))
        else:
            words.append(0)
    return struct.pack("<512Q", *words)


def code_page(rng):
    """Functions of real x86-64 encodings, 16-byte aligned with int3 padding."""
    out = bytearray()
    while len(out) < PAGE_SIZE:
        for _ in range(8 + rng.below(40)):
            pick = rng.below(10)
            if pick == 0:
                out += bytes([X86_CALL]) + struct.pack("<i", rng.below(1 << 20) - (1 << 19))
            elif pick == 1:
                out += bytes([rng.choice(X86_JCC_SHORT), rng.below(0x40)])
            else:
                out += bytes.fromhex(rng.choice(X86_INSTRUCTIONS))
        out += bytes.fromhex("c3")
        out += X86_PADDING * (-len(out) % 16)
    return bytes(out[:PAGE_SIZE])


PAGE_MAKERS = {"zero": zero_page, "text": text_page, "data": data_page, "code": code_page}


def guest_pages(seed, count):
    rng = SplitMix64(seed)
    for _ in range(count):
        yield PAGE_MAKERS[rng.weighted(PAGE_KINDS)](rng)


def vmotion_stream(seed, pages, bundle_pages):
    if not 1 <= bundle_pages <= VMOTION_MAX_BUNDLE_PAGES:
        raise ValueError(f"bundle size must be 1..{VMOTION_MAX_BUNDLE_PAGES} pages")
    rng = SplitMix64(seed ^ 0x564D6F74696F6E)  # header fields do not disturb the page sequence
    header = struct.pack(
        "<QIIQQI16s",
        rng.next64(),           # migration id
        1,                      # header version
        PAGE_SIZE,
        pages,                  # pages announced
        pages * PAGE_SIZE,      # memory bytes announced
        2,                      # vCPUs
        rng.bytes(16),          # VM instance UUID
    ).ljust(VMOTION_HEADER_SIZE, b"\0")
    yield VMOTION_PREFIX + header
    bundle = []
    for page in guest_pages(seed, pages):
        bundle.append(page)
        if len(bundle) == bundle_pages:
            yield struct.pack("<II", VMOTION_BUNDLE_MAGIC, len(bundle)) + b"".join(bundle)
            bundle = []
    if bundle:
        yield struct.pack("<II", VMOTION_BUNDLE_MAGIC, len(bundle)) + b"".join(bundle)


def hyperv_stream(seed, pages):
    rng = SplitMix64(seed ^ 0x48797065725620)
    name = "guest-vm-01".encode("utf-16-le")
    body = struct.pack("<I16sIIH", HYPERV_HEADER_VERSION, rng.bytes(16), PAGE_SIZE, pages,
                       len(name)) + name
    yield struct.pack("<I", len(body)) + body
    yield from guest_pages(seed, pages)


XL_SAVE_MAGIC = b"Xen saved domain, xl format\n \0 \r"
XL_BYTEORDER = 0x01020304
XL_MANDATORY_JSON, XL_MANDATORY_STREAM_V2 = 1 << 0, 1 << 1
LIBXL_IDENT, LIBXL_VERSION = 0x4C6962786C466D74, 2
LIBXL_REC_END, LIBXL_REC_LIBXC_CONTEXT = 0, 1
LIBXC_MARKER, LIBXC_ID, LIBXC_VERSION = 0xFFFFFFFFFFFFFFFF, 0x58454E46, 2
LIBXC_DOMAIN_X86_HVM = 2
LIBXC_REC_END, LIBXC_REC_PAGE_DATA = 0, 1
XEN_PAGES_PER_RECORD = 8


def xen_record(rec_type, body=b""):
    """A libxl or libxc record: u32 type, u32 length (little-endian), body padded to 8 bytes."""
    return struct.pack("<II", rec_type, len(body)) + body + bytes(-len(body) % 8)


def xen_stream(seed, pages):
    config = b'{"c_info": {"type": "hvm", "name": "guest-vm-01"}, "b_info": {"max_memkb": %d}}' % (
        pages * PAGE_SIZE // 1024)
    optional = struct.pack("<I", len(config)) + config + b"\0"
    yield XL_SAVE_MAGIC + struct.pack("<IIII", XL_BYTEORDER,
                                      XL_MANDATORY_JSON | XL_MANDATORY_STREAM_V2, 0,
                                      len(optional)) + optional
    yield struct.pack(">QII", LIBXL_IDENT, LIBXL_VERSION, 0)  # big-endian header, options 0
    yield xen_record(LIBXL_REC_LIBXC_CONTEXT)
    yield struct.pack(">QIIHHI", LIBXC_MARKER, LIBXC_ID, LIBXC_VERSION, 0, 0, 0)
    yield struct.pack("<IHHHH", LIBXC_DOMAIN_X86_HVM, 12, 0, 4, 17)  # page shift 12, Xen 4.17
    batch, first = [], 0
    for pfn, page in enumerate(guest_pages(seed, pages)):
        batch.append(page)
        if len(batch) == XEN_PAGES_PER_RECORD or pfn == pages - 1:
            pfns = struct.pack(f"<{len(batch)}Q", *range(first, first + len(batch)))
            yield xen_record(LIBXC_REC_PAGE_DATA,
                             struct.pack("<II", len(batch), 0) + pfns + b"".join(batch))
            batch, first = [], pfn + 1
    yield xen_record(LIBXC_REC_END)
    yield xen_record(LIBXL_REC_END)


# ---------------------------------------------------------------- compressed streams
# Added for make-stream-samples.sh; the framers above are unchanged.

HYPERV_COMPRESSED_HEADER_VERSION = 2
HYPERV_BLOCK_PAGES = 4          # pages per compressed block (invented, like the header fields)
HYPERV_CODECS = {"deflate": 1, "lz4": 2}
LZ4_MIN_MATCH = 4
LZ4_LAST_LITERALS = 5           # the block format's end rules: the last 5 bytes are literals,
LZ4_MATCH_LIMIT = 12            # and no match starts within the last 12 bytes


def deflate_raw(data, level=6):
    """Raw deflate (RFC 1951): no zlib header or checksum, so no signature to find."""
    import zlib
    codec = zlib.compressobj(level, zlib.DEFLATED, -15)
    return codec.compress(data) + codec.flush()


def lz4_block(data):
    """LZ4 block format (no frame, no magic): a simple greedy encoder with a 4-byte hash table."""
    out, table, anchor, i, n = bytearray(), {}, 0, 0, len(data)

    def length_bytes(value):
        while value >= 255:
            out.append(255)
            value -= 255
        out.append(value)

    while i + LZ4_MATCH_LIMIT <= n:
        key = data[i:i + LZ4_MIN_MATCH]
        candidate, table[key] = table.get(key), i
        if candidate is None or i - candidate > 0xFFFF:
            i += 1
            continue
        length = LZ4_MIN_MATCH
        while i + length < n - LZ4_LAST_LITERALS and data[candidate + length] == data[i + length]:
            length += 1
        literals = i - anchor
        out.append((min(literals, 15) << 4) | min(length - LZ4_MIN_MATCH, 15))
        if literals >= 15:
            length_bytes(literals - 15)
        out += data[anchor:i] + struct.pack("<H", i - candidate)
        if length - LZ4_MIN_MATCH >= 15:
            length_bytes(length - LZ4_MIN_MATCH - 15)
        i += length
        anchor = i
    literals = n - anchor
    out.append(min(literals, 15) << 4)
    if literals >= 15:
        length_bytes(literals - 15)
    return bytes(out + data[anchor:])


def lz4_block_decode(block):
    """Decoder for lz4_block's output (used to check the encoder)."""
    out, i = bytearray(), 0

    def length(value):
        nonlocal i
        if value == 15:
            while True:
                extra = block[i]
                i += 1
                value += extra
                if extra != 255:
                    break
        return value

    while i < len(block):
        token = block[i]
        i += 1
        literals = length(token >> 4)
        out += block[i:i + literals]
        i += literals
        if i >= len(block):
            break
        offset = struct.unpack_from("<H", block, i)[0]
        i += 2
        for _ in range(length(token & 15) + LZ4_MIN_MATCH):
            out.append(out[-offset])
    return bytes(out)


def hyperv_compressed_stream(seed, pages, codec="deflate", block_pages=HYPERV_BLOCK_PAGES):
    """Hyper-V "Compression"-style TCP 6600: u32 LE header length, a header naming the codec, then
    blocks of `block_pages` pages, each `u32 LE compressed length, u32 LE uncompressed length,
    compressed bytes` (raw deflate or LZ4 block: neither carries a magic number)."""
    compress = {"deflate": deflate_raw, "lz4": lz4_block}[codec]
    rng = SplitMix64(seed ^ 0x48797065725620)
    name = "guest-vm-01".encode("utf-16-le")
    body = struct.pack("<I16sIIHH", HYPERV_COMPRESSED_HEADER_VERSION, rng.bytes(16), PAGE_SIZE,
                       pages, HYPERV_CODECS[codec], len(name)) + name
    yield struct.pack("<I", len(body)) + body
    block = []
    for page in guest_pages(seed, pages):
        block.append(page)
        if len(block) == block_pages:
            raw = b"".join(block)
            packed = compress(raw)
            yield struct.pack("<II", len(packed), len(raw)) + packed
            block = []
    if block:
        raw = b"".join(block)
        packed = compress(raw)
        yield struct.pack("<II", len(packed), len(raw)) + packed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frame", choices=("raw", "vmotion", "hyperv", "xen"), default="raw")
    parser.add_argument("--pages", type=int, default=24, help="4 KiB pages to emit (default 24)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bundle-pages", type=int, default=8, help="vmotion pages per bundle")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    if args.frame == "vmotion":
        chunks = vmotion_stream(args.seed, args.pages, args.bundle_pages)
    elif args.frame == "hyperv":
        chunks = hyperv_stream(args.seed, args.pages)
    elif args.frame == "xen":
        chunks = xen_stream(args.seed, args.pages)
    else:
        chunks = guest_pages(args.seed, args.pages)
    out = open(args.output, "wb") if args.output else sys.stdout.buffer
    try:
        for chunk in chunks:
            out.write(chunk)
    finally:
        if args.output:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
