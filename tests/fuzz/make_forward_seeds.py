#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_forward: scripts in the byte format fuzz_forward.c reads
(a 4-byte config, then commands). Run from anywhere; rewrites tests/fuzz/corpus/forward/."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

RAW, PACKET, SWITCH, PAUSE, LATER, EARLIER, UPDATE, CONFIGURE = 0, 1, 3, 4, 5, 6, 7, 9
OPUS, VP8, VP9, H264, AV1 = range(5)
VP8_DESC, VP8_START, VP8_PICID, VP8_LONG, VP8_TL0, INTER = 0x20, 0x10, 0x08, 0x04, 0x02, 0x01
EXTS = 0x40


def config(seq=0xFFF0, ts_high=0x12, retry=30):
    return struct.pack("!HBB", seq, ts_high, retry)


def packet(who, step, ts_step, flags, codec, payload=b"\x55" * 20, pid=0, tl0=0, cap=0):
    out = bytes([PACKET, who, step & 0xFF, ts_step, flags, codec])
    if flags & VP8_DESC:
        out += bytes([pid >> 7 & 0xFF, pid & 0x7F, tl0])
    return out + bytes([len(payload)]) + payload + bytes([cap])


def vp8(who, pid, key, step=1):
    flags = VP8_DESC | VP8_START | VP8_PICID | VP8_LONG | VP8_TL0 | EXTS | (0 if key else INTER)
    return packet(who, step, 30, flags, VP8, pid=pid, tl0=pid & 0xFF)


def raw_rtp(seq, pt=96 + OPUS, ssrc=0x11110000, payload=b"\x01\x02\x03\x04"):
    rtp = struct.pack("!BBHII", 0x80, pt, seq, 960 * seq, ssrc) + payload
    return bytes([RAW, len(rtp)]) + rtp + bytes([0])


def vp9_svc(sid, tid, begin, end, key, first_of_picture):
    """A VP9 packet with a non-flexible descriptor (I, L, TL0PICIDX; RFC 9628 4.2)."""
    b0 = 0x80 | 0x20 | (0 if key else 0x40) | (0x08 if begin else 0) | (0x04 if end else 0)
    desc = bytes([b0, 0x11, tid << 5 | 0x10 | sid << 1 | (1 if sid else 0), 7])
    return packet(0, 1, 30 if first_of_picture else 0, 0, VP9, payload=desc + b"\x66" * 12)


def svc_picture(key, tid=0):
    return b"".join(vp9_svc(sid, tid, k == 0, k == 1, key, sid == 0 and k == 0)
                    for sid in range(3) for k in range(2))


def seeds():
    yield "audio_switch", (config() + bytes([SWITCH, OPUS]) +
                           b"".join(packet(0, 1, 9, EXTS, OPUS) + bytes([LATER, 20])
                                    for _ in range(4)) +
                           bytes([SWITCH, OPUS + 5]) +
                           b"".join(packet(1, 1, 9, 0, OPUS) for _ in range(3)))
    yield "vp8_gate_switch", (config() + bytes([SWITCH, VP8]) + vp8(0, 100, False) +
                              vp8(0, 101, True) + vp8(0, 102, False) + bytes([LATER, 33]) +
                              bytes([SWITCH, VP8]) + vp8(2, 30000, False) + vp8(2, 30001, True) +
                              vp8(2, 30002, False, step=3) + vp8(2, 30003, False, step=-1))
    yield "pause_resume_raw", (config(seq=0) + bytes([SWITCH, OPUS]) + raw_rtp(1) + raw_rtp(2) +
                               bytes([PAUSE]) + raw_rtp(3) + bytes([LATER, 200, PAUSE]) +
                               raw_rtp(4) + raw_rtp(6) + raw_rtp(5) + bytes([EARLIER, 250]) +
                               raw_rtp(7))
    yield "restart_padding_small_cap", (config() + bytes([SWITCH, OPUS]) +
                                        packet(0, 1, 9, 0, OPUS) +
                                        packet(0, 1, 9, INTER, OPUS, payload=b"") +
                                        packet(0, 1, 9, 0, OPUS, cap=0xF3) +
                                        packet(0, 100, 9, 0, OPUS) +
                                        packet(0, 1, 9, 0, OPUS) +
                                        packet(0, 0x80, 9, 0, OPUS) +
                                        packet(0, 1, 9, 0, OPUS) +
                                        raw_rtp(40000) + raw_rtp(40001) + raw_rtp(40002))
    yield "other_codecs", (config() + bytes([SWITCH, H264]) +
                           packet(0, 1, 30, 0, H264, payload=b"\x41\x9a") +
                           packet(0, 1, 30, 0, H264, payload=b"\x65\x88") +
                           bytes([SWITCH, VP9]) + packet(1, 1, 30, 0, VP9, payload=b"\x08\xaa") +
                           bytes([UPDATE, VP9]) + packet(1, 1, 30, 0, VP9, payload=b"\x48\xaa") +
                           bytes([SWITCH, AV1]) + packet(2, 1, 30, 0, AV1, payload=b"\x18\x0a"))
    # VP9 SVC: spatial target 1 (configure bytes are value + 1), then 2 at a keyframe, then
    # temporal 0 on an L3T3-like pattern.
    yield "vp9_svc", (config() + bytes([SWITCH, VP9, CONFIGURE, 2, 3, 0]) + svc_picture(True) +
                      svc_picture(False) + bytes([CONFIGURE, 3, 0, 0]) + svc_picture(False) +
                      svc_picture(True) + bytes([CONFIGURE, 0, 1, 0]) +
                      b"".join(svc_picture(False, tid) for tid in (2, 1, 2, 0, 2)))


def main():
    out = os.path.join(HERE, "corpus", "forward")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
