#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_rtp, fuzz_rtcp and fuzz_dcep: small valid packets built
from the RFC layouts. Run from anywhere; rewrites tests/fuzz/corpus/{rtp,rtcp,dcep}/."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def rtp(pt, seq, ts, ssrc, payload=b"", marker=False, csrcs=(), ext=None, pad=0):
    first = 0x80 | (0x20 if pad else 0) | (0x10 if ext is not None else 0) | len(csrcs)
    out = struct.pack("!BBHII", first, (0x80 if marker else 0) | pt, seq, ts, ssrc)
    out += b"".join(struct.pack("!I", c) for c in csrcs)
    if ext is not None:
        profile, body = ext
        body += b"\0" * (-len(body) % 4)
        out += struct.pack("!HH", profile, len(body) // 4) + body
    out += payload
    if pad:
        out += b"\0" * (pad - 1) + bytes([pad])
    return out


def one_byte(*elems):
    return 0xBEDE, b"".join(bytes([i << 4 | (len(d) - 1)]) + d for i, d in elems)


def two_byte(*elems):
    return 0x1000, b"".join(bytes([i, len(d)]) + d for i, d in elems)


def rtcp(pt, count, body, pad=0):
    body += b"\0" * (-len(body) % 4)
    if pad:
        body += b"\0" * (pad - 1) + bytes([pad])
    return struct.pack("!BBH", 0x80 | (0x20 if pad else 0) | count, pt, len(body) // 4) + body


def block(ssrc):
    return struct.pack("!IB3sIIII", ssrc, 12, b"\0\0\x05", 70000, 30, 0x12345678, 65536)


def twcc(sender, media):
    fci = struct.pack("!HH3sB", 65534, 10, b"\0\0\x10", 7)
    fci += bytes([0x20, 0x03, 0xE1, 0x10, 0x04, 0x08, 0x00, 0xFF, 0x38, 0x01, 0xFF])
    return rtcp(205, 15, struct.pack("!II", sender, media) + fci)


def dcep_open(channel_type, priority, reliability, label, protocol):
    return struct.pack("!BBHIHH", 3, channel_type, priority, reliability, len(label),
                       len(protocol)) + label + protocol


def seeds():
    exts = one_byte((1, b"0"), (2, b"\x01\x02\x03"), (3, b"\x00\x07"), (4, b"\xAA"))
    yield "rtp", "opus_one_byte_ext", rtp(111, 1000, 48000, 0xAABBCCDD, b"\xFC" * 40, ext=exts)
    yield "rtp", "vp8_keyframe", rtp(96, 7, 90000, 0x1234, bytes(
        [0x90, 0xE0, 0x81, 0x23, 0x45, 0x40, 0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A]), marker=True,
        ext=one_byte((3, b"\x00\x08"), (5, b"\x05")))
    yield "rtp", "vp9_ss", rtp(98, 8, 90000, 0x1234, bytes(
        [0x0A, 0x58, 1, 0x40, 0, 0xB4, 2, 0x80, 1, 0x68, 5, 0, 2, 0xD0, 2, 4, 1, 0x38, 1, 2,
         0xEE]))
    yield "rtp", "h264_stap_a", rtp(102, 9, 90000, 0x99, bytes(
        [0x78, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xCE, 0, 2, 0x65, 0x88]), csrcs=(1, 2))
    yield "rtp", "two_byte_padded", rtp(100, 65535, 1, 2, b"data",
                                        ext=two_byte((1, b""), (200, b"abc"), (16, b"\x7f")),
                                        pad=4)
    yield "rtp", "rtx", rtp(97, 500, 90000, 0x5678, b"\x03\xE8payload")
    sr = rtcp(200, 1, struct.pack("!IQIII", 0x11223344, 0xE12B3C4D80000000, 90000, 100, 10000)
              + block(0x55667788))
    sdes = rtcp(202, 1, struct.pack("!IBB", 0x11223344, 1, 6) + b"user@h\0")
    yield "rtcp", "sr_sdes", sr + sdes
    yield "rtcp", "rr_bye", (rtcp(201, 2, struct.pack("!I", 1) + block(0xA) + block(0xB))
                             + rtcp(203, 1, struct.pack("!I", 1) + b"\x04gone"))
    nack = rtcp(205, 1, struct.pack("!IIHHHH", 1, 0xA, 100, 0x8001, 300, 0))
    pli = rtcp(206, 1, struct.pack("!II", 1, 0xB))
    fir = rtcp(206, 4, struct.pack("!IIIB3x", 1, 0, 0xA, 3))
    remb = rtcp(206, 15, struct.pack("!II4sB", 1, 0, b"REMB", 2) + bytes([0x0B, 0xD0, 0x90])
                + struct.pack("!II", 0xA, 0xB))
    yield "rtcp", "nack", nack
    yield "rtcp", "pli_fir_remb", pli + fir + remb
    yield "rtcp", "twcc", twcc(1, 0xB)
    yield "rtcp", "receiver_compound", (rtcp(201, 1, struct.pack("!I", 1) + block(0xA), pad=4)
                                        + nack + pli + remb + twcc(1, 0xA))
    yield "dcep", "open_reliable", dcep_open(0x00, 256, 0, b"chat", b"json")
    yield "dcep", "open_timed_unordered", dcep_open(0x82, 512, 1500, "café".encode(), b"")
    yield "dcep", "ack", b"\x02"


def main():
    for corpus, name, data in seeds():
        folder = os.path.join(HERE, "corpus", corpus)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
