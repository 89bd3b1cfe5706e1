#!/usr/bin/python3
"""H.264 through the VideoRoom, with aiortc (Debian's python3-aiortc, libx264 through PyAV) on
both ends.

An aiortc publisher sends a tone and an H.264 test pattern (Constrained Baseline, packetization
mode 1: aiortc packs SPS and PPS in STAP-A and cuts large NAL units in FU-A) into a new room whose
videocodec list is "h264" and that asks for Opus DTX (opus_dtx), with Opus fmtp useinbandfec,
usedtx and stereo in its offer. Its
encoder makes a key frame only when asked (no periodic IDR), so a subscriber that joins late can
only decode once the server asked the publisher for a key frame (PLI) and recognized it as one
(the forwarding holds a new subscriber's video until a key frame). An early subscriber joins
first, a late one once the early one decoded --frames frames. The result (SDP, decoded frames,
key frame requests the publisher got) is printed as one JSON object for the calling test.
With --feed it only subscribes to that publisher (e.g. Chromium sending H.264) and reports what
it decoded. Diagnostics go to stderr; only 127.0.0.1 is used for ICE.
"""
import argparse
import asyncio
import fractions
import json
import re
import sys
import time

import aiortc.codecs.h264 as h264
import av
import aiortc.rtcrtpsender as rtcrtpsender
from aiortc import RTCConfiguration, RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc_echo import JanusEvents, Pattern, Tone, consume  # beside this script
from aiortc_lipsync import request

VIDEOROOM = "janus.plugin.videoroom"
OPUS_FMTP = "minptime=10;useinbandfec=1;usedtx=1;stereo=1"


def log(*args):
    print("aiortc_h264:", *args, file=sys.stderr, flush=True)


def keyframes_only_on_request():
    """libx264 as aiortc opens it, but with a key frame interval longer than any test, and a key
    frame whenever one is asked for: aiortc 1.4's H264Encoder ignores force_keyframe, so a fresh
    encoder (which starts with SPS, PPS and an IDR) is opened instead."""
    create = h264.create_encoder_context

    def create_without_gop(codec_name, width, height, bitrate):
        if codec_name != "libx264":
            return create(codec_name, width, height, bitrate)
        codec = av.CodecContext.create(codec_name, "w")
        codec.width, codec.height, codec.bit_rate = width, height, bitrate
        codec.pix_fmt = "yuv420p"
        codec.framerate = fractions.Fraction(h264.MAX_FRAME_RATE, 1)
        codec.time_base = fractions.Fraction(1, h264.MAX_FRAME_RATE)
        codec.gop_size = 100000
        codec.options = {"profile": "baseline", "level": "31", "tune": "zerolatency"}
        codec.open()
        return codec, False

    encode = h264.H264Encoder.encode

    def encode_with_keyframes(encoder, frame, force_keyframe=False):
        if force_keyframe:
            encoder.codec = None
            encoder.buffer_data, encoder.buffer_pts = b"", None
        return encode(encoder, frame, force_keyframe)

    h264.create_encoder_context = create_without_gop
    h264.H264Encoder.encode = encode_with_keyframes


class KeyframeRequests:
    """Counts the key frames the publisher's senders were asked for (PLI or FIR)."""

    def __init__(self):
        self.count = 0
        original = rtcrtpsender.RTCRtpSender._send_keyframe
        counter = self

        def counted(sender):
            counter.count += 1
            original(sender)

        rtcrtpsender.RTCRtpSender._send_keyframe = counted


def with_opus_fmtp(sdp):
    """The offer with an a=fmtp for Opus (aiortc writes none) carrying OPUS_FMTP."""
    match = re.search(r"^a=rtpmap:(\d+) opus/48000/2$", sdp.replace("\r", ""), re.M)
    if not match:
        raise RuntimeError("no Opus in the offer")
    line = match.group(0)
    return sdp.replace(line, f"{line}\r\na=fmtp:{match.group(1)} {OPUS_FMTP}", 1)


async def publish(api, args):
    handle = api.post({"janus": "attach", "plugin": VIDEOROOM}, f"/{api.session}")["data"]["id"]
    await request(api, handle, {"request": "create", "room": args.room, "publishers": 2,
                                "videocodec": "h264", "audiocodec": "opus", "opus_dtx": True},
                  None, args.timeout)
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(Tone())
    video = pc.addTransceiver(Pattern(args.width, args.height), direction="sendonly")
    h264_only = [c for c in RTCRtpSender.getCapabilities("video").codecs
                 if c.mimeType == "video/H264"]
    video.setCodecPreferences(h264_only)
    await pc.setLocalDescription(await pc.createOffer())
    offer = with_opus_fmtp(pc.localDescription.sdp)
    joined = await request(api, handle, {"request": "join", "room": args.room,
                                         "ptype": "publisher", "display": "aiortc-h264"},
                           None, args.timeout)
    event = await request(api, handle, {"request": "publish"}, {"type": "offer", "sdp": offer},
                          args.timeout)
    await pc.setRemoteDescription(RTCSessionDescription(event["jsep"]["sdp"], "answer"))
    feed = joined["plugindata"]["data"]["id"]
    data = event["plugindata"]["data"]
    return pc, feed, {"offer": offer, "answer": event["jsep"]["sdp"], "configured": data}


async def subscribe(api, args, feed):
    handle = api.post({"janus": "attach", "plugin": VIDEOROOM}, f"/{api.session}")["data"]["id"]
    event = await request(api, handle, {"request": "join", "room": args.room,
                                        "ptype": "subscriber", "streams": [{"feed": feed}]},
                          None, args.timeout)
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    counts = {"video": {}, "audio": 0, "audio_samples": 0}
    tasks = []
    pc.on("track", lambda track: tasks.append(asyncio.ensure_future(consume(track, counts))))
    await pc.setRemoteDescription(RTCSessionDescription(event["jsep"]["sdp"], "offer"))
    await pc.setLocalDescription(await pc.createAnswer())
    await request(api, handle, {"request": "start"},
                  {"type": "answer", "sdp": pc.localDescription.sdp}, args.timeout)
    return pc, counts, tasks


def frames(counts):
    return sum(counts["video"].values())


async def wait_frames(counts, count, timeout):
    deadline = time.time() + timeout
    while frames(counts) < count and time.time() < deadline:
        await asyncio.sleep(0.1)
    return frames(counts) >= count


async def watch(args):
    """Only subscribes to --feed in --room until it decoded --frames frames."""
    api = JanusEvents(args.base, "aiortc_h264")
    api.session = api.post({"janus": "create"})["data"]["id"]
    api.start_polling()
    result, pc, tasks = {}, None, []
    try:
        pc, counts, tasks = await subscribe(api, args, args.feed)
        result["remote_sdp"] = pc.remoteDescription.sdp
        await wait_frames(counts, args.frames, args.timeout)
        result.update(counts)
    finally:
        if pc:
            await pc.close()
        for task in tasks:
            task.cancel()
        api.finish(result)
    return result


async def run(args):
    if args.feed:
        return await watch(args)
    keyframes_only_on_request()
    keyframes = KeyframeRequests()
    api = JanusEvents(args.base, "aiortc_h264")
    api.session = api.post({"janus": "create"})["data"]["id"]
    api.start_polling()
    result = {}
    pcs, tasks = [], []
    try:
        publisher, feed, result["publisher"] = await publish(api, args)
        pcs.append(publisher)
        early, early_counts, more = await subscribe(api, args, feed)
        pcs.append(early)
        tasks += more
        result["early_remote_sdp"] = early.remoteDescription.sdp
        await wait_frames(early_counts, args.frames, args.timeout)
        result["keyframe_requests_before_late"] = keyframes.count
        log(f"early subscriber decoded {frames(early_counts)} frames; late one joins")
        late, late_counts, more = await subscribe(api, args, feed)
        pcs.append(late)
        tasks += more
        result["late_remote_sdp"] = late.remoteDescription.sdp
        await wait_frames(late_counts, args.frames, args.timeout)
        result["keyframe_requests"] = keyframes.count
        result["early"] = early_counts
        result["late"] = late_counts
    finally:
        for pc in pcs:
            await pc.close()
        for task in tasks:
            task.cancel()
        api.finish(result)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="Janus REST base URL")
    parser.add_argument("--room", type=int, required=True,
                        help="a room id not in use (with --feed: the feed's room)")
    parser.add_argument("--feed", type=int, help="only subscribe to this publisher")
    parser.add_argument("--frames", type=int, default=20,
                        help="frames each subscriber must decode")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for each step")
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=240)
    args = parser.parse_args()
    json.dump(asyncio.run(run(args)), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
