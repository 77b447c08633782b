#!/usr/bin/env python3
"""Protect a capture's Ethernet frames with MACsec (IEEE 802.1AE-2018), as a MACsec link would.

  macsec_wrap.py [--integrity | --encrypt] IN.pcap OUT.pcap

Used by make-crypto-samples.sh because this kernel has no MACsec links (`ip link add ... type
macsec`: "Unknown device type"): every Ethernet frame of IN (real traffic between namespaces) is
protected by one secure channel per sending MAC (SCI = that MAC and port 1, association number 0,
packet numbers from 1) with GCM-AES-128 (the default cipher suite, 802.1AE clause 14.5) and a
fixed test key:
- --integrity (the default): integrity only, the TCI's E and C bits clear: the SecTAG (EtherType
  0x88E5, TCI with the SC bit, short length, packet number, SCI), then the frame's own EtherType
  and data in clear, then the 16-octet ICV, GCM's tag over the destination and source MACs, the
  SecTAG and the data (no ciphertext);
- --encrypt: confidentiality, E and C set: the EtherType and data encrypted, the tag over the
  MACs, the SecTAG and the ciphertext.
The IV is the SCI and the packet number (clause 14.5). The last frame is checked by decrypting it
again. Classic pcap, Ethernet, frames captured whole (frame_rewrite.py); needs the `cryptography`
package (Debian: python3-cryptography).
"""

import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from frame_rewrite import rewrite

KEY = b"migaudit macsec!"  # 16 bytes, a test value
ETHERTYPE_MACSEC = 0x88E5
TCI_SC, TCI_E, TCI_C = 0x20, 0x08, 0x04
PORT = 1
SHORT_LENGTH_LIMIT = 48  # the SL field holds the data's length when it is shorter than this
ICV_LEN = 16


def protect(frame, encrypt, channels, gcm):
    """The MACsec frame for one Ethernet frame; channels holds each sender's next packet number."""
    macs, data = frame[:12], frame[12:]
    sci = frame[6:12] + struct.pack("!H", PORT)
    pn = channels.get(sci, 1)
    channels[sci] = pn + 1
    tci = TCI_SC | (TCI_E | TCI_C if encrypt else 0)
    short_length = len(data) if len(data) < SHORT_LENGTH_LIMIT else 0
    sectag = struct.pack("!HBBI", ETHERTYPE_MACSEC, tci, short_length, pn) + sci
    iv = sci + struct.pack("!I", pn)
    if encrypt:
        return macs + sectag + gcm.encrypt(iv, data, macs + sectag)
    return macs + sectag + data + gcm.encrypt(iv, b"", macs + sectag + data)


def check(frame, encrypt, gcm):
    """Raises if the frame's ICV does not verify (and, encrypted, if it does not decrypt)."""
    macs, sectag = frame[:12], frame[12:28]
    iv = sectag[8:16] + sectag[4:8]
    body, icv = frame[28:-ICV_LEN], frame[-ICV_LEN:]
    if encrypt:
        return gcm.decrypt(iv, body + icv, macs + sectag)
    gcm.decrypt(iv, icv, macs + sectag + body)
    return body


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = [a for a in argv if a.startswith("--")]
    if len(args) != 2 or not set(flags) <= {"--integrity", "--encrypt"} or len(flags) > 1:
        sys.exit(__doc__)
    encrypt = flags == ["--encrypt"]
    gcm, channels, last = AESGCM(KEY), {}, []

    def change(frame):
        last[:] = [frame, protect(frame, encrypt, channels, gcm)]
        return last[1]

    frames, _ = rewrite(args[0], args[1], change)
    if last and check(last[1], encrypt, gcm) != last[0][12:]:
        sys.exit("the last frame did not verify")
    print(f"macsec_wrap: {frames} frames, {'encrypted' if encrypt else 'integrity only'}, "
          f"{len(channels)} secure channels", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
