#!/usr/bin/python3
"""An aiortc peer (Debian's python3-aiortc) for the echotest, driven over the Janus HTTP API.

It creates a session, attaches janus.plugin.echotest, offers a synthetic tone and a moving test
pattern with a data channel, counts the frames aiortc decodes from what comes back, and prints
one JSON object on stdout for the calling test to check. Diagnostics go to stderr. Only
127.0.0.1 is used for ICE: no STUN or TURN server.
"""
import argparse
import asyncio
import fractions
import json
import logging
import sys
import time

import aioice.ice
import numpy
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from av import AudioFrame, VideoFrame
from janus_http import JanusHttp, add_common_arguments  # noqa: E402 (beside this script)

ECHOTEST = "janus.plugin.echotest"
SAMPLE_RATE = 48000
AUDIO_PTIME = 0.020

# aioice leaves 127.0.0.1 out of its host candidates; the tests run in a namespace that has
# nothing else, so gather on loopback only.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"] if use_ipv4 else []



def log(*args):
    print("aiortc_echo:", *args, file=sys.stderr, flush=True)


class Tone(AudioStreamTrack):
    """A 440 Hz tone in 20 ms frames of 16-bit mono at 48 kHz."""

    def __init__(self):
        super().__init__()
        self.sent = 0

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        samples = int(AUDIO_PTIME * SAMPLE_RATE)
        if self.sent:
            wait = self._start + self.sent / SAMPLE_RATE - time.time()
            await asyncio.sleep(wait)
        else:
            self._start = time.time()
        t = numpy.arange(self.sent, self.sent + samples) / SAMPLE_RATE
        wave = (8000 * numpy.sin(2 * numpy.pi * 440 * t)).astype(numpy.int16)
        frame = AudioFrame.from_ndarray(wave.reshape(1, -1), format="s16", layout="mono")
        frame.pts = self.sent
        frame.sample_rate = SAMPLE_RATE
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        self.sent += samples
        return frame


class Pattern(VideoStreamTrack):
    """I420 frames at 30 fps whose luma is a bar moving over a gradient."""

    def __init__(self, width, height):
        super().__init__()
        self.width, self.height, self.count = width, height, 0
        ys, xs = numpy.mgrid[0:height, 0:width]
        self.gradient = (xs + ys).astype(numpy.uint16)

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        n = self.count
        self.count += 1
        luma = ((self.gradient + n) & 0xFF).astype(numpy.uint8)
        bar = (n * 4) % self.width
        luma[:, max(0, bar - 8) : bar + 8] = 235
        chroma = numpy.full((self.height // 2, self.width), 128, numpy.uint8)
        frame = VideoFrame.from_ndarray(numpy.vstack([luma, chroma]), format="yuv420p")
        frame.pts = pts
        frame.time_base = time_base
        return frame


class JanusEvents(JanusHttp):
    async def wait_event(self, match, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            event = self.find_event(match)
            if event:
                return event
            await asyncio.sleep(0.05)
        return None


async def consume(track, counts):
    """Counts decoded frames of `track` by size (video) or in total (audio) until it ends."""
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        if track.kind == "video":
            key = f"{frame.width}x{frame.height}"
            counts["video"][key] = counts["video"].get(key, 0) + 1
        else:
            counts["audio"] += 1
            counts["audio_samples"] += frame.samples


def strip_bundle(sdp):
    return "".join(line for line in sdp.splitlines(True) if not line.startswith("a=group:BUNDLE"))


async def offer_and_answer(api, handle, pc, args, result):
    offer = await pc.createOffer()
    await pc.setLocalDescription(offer)  # aiortc gathers every candidate here
    sdp = pc.localDescription.sdp
    if args.no_bundle:
        sdp = strip_bundle(sdp)
    result["offer_sdp"] = sdp
    body = {"audio": True, "video": True}
    sent = api.post({"janus": "message", "body": body,
                     "jsep": {"type": "offer", "sdp": sdp}}, f"/{api.session}/{handle}")
    result["message_reply"] = sent
    if sent.get("janus") == "error":
        return None
    tx = sent["_transaction"]
    event = await api.wait_event(lambda e: e.get("transaction") == tx and e.get("janus") == "event",
                                 args.timeout)
    result["answer_event"] = event
    if not event or "jsep" not in event:
        return None
    return event["jsep"]


async def exchange_data(channel, result, timeout):
    """Sends a string, then 20000 bytes, and records what came back."""
    received = []
    channel.on("message", received.append)
    deadline = time.time() + timeout
    while channel.readyState != "open" and time.time() < deadline:
        await asyncio.sleep(0.05)
    result["datachannel_state"] = channel.readyState
    if channel.readyState != "open":
        return
    big = bytes(i & 0xFF for i in range(20000))
    channel.send("hello from aiortc")
    channel.send(big)
    while len(received) < 2 and time.time() < deadline:
        await asyncio.sleep(0.05)
    result["datachannel_text"] = next((m for m in received if isinstance(m, str)), None)
    binary = next((m for m in received if isinstance(m, bytes)), None)
    result["datachannel_binary_ok"] = binary == big
    result["datachannel_binary_length"] = None if binary is None else len(binary)


async def run(args):
    api = JanusEvents(args.base, "aiortc_echo")
    result = {"events": [], "video": {}, "audio": 0, "audio_samples": 0}
    api.session = api.post({"janus": "create"})["data"]["id"]
    handle = api.post({"janus": "attach", "plugin": ECHOTEST}, f"/{api.session}")["data"]["id"]
    result.update(session=api.session, handle=handle)
    api.start_polling()

    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    counts = {"video": result["video"], "audio": 0, "audio_samples": 0}
    tasks = []
    pc.on("track", lambda track: tasks.append(asyncio.ensure_future(consume(track, counts))))
    pc.addTrack(Tone())
    pc.addTrack(Pattern(args.width, args.height))
    channel = None if args.no_datachannel else pc.createDataChannel("echo")
    try:
        answer = await offer_and_answer(api, handle, pc, args, result)
        if answer:
            result["answer_sdp"] = answer["sdp"]
            try:
                await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
            except ValueError as error:
                # aiortc refuses the answer: report why, with the SDP, to the calling test.
                result["answer_error"] = str(error)
                return result
            if channel:
                await exchange_data(channel, result, args.timeout)
            want = f"{args.width}x{args.height}"
            deadline = time.time() + args.timeout
            while time.time() < deadline and (counts["video"].get(want, 0) < args.frames
                                              or counts["audio"] < args.frames):
                await asyncio.sleep(0.1)
            result["ice_state"] = pc.iceConnectionState
            hangup = api.post({"janus": "hangup"}, f"/{api.session}/{handle}")
            result["hangup_reply"] = hangup
            await api.wait_event(lambda e: e.get("janus") == "hangup", 5)
    finally:
        result["audio"] = counts["audio"]
        result["audio_samples"] = counts["audio_samples"]
        await pc.close()
        for task in tasks:
            task.cancel()
        api.finish(result)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    add_common_arguments(parser, "echoed video and audio frames to wait for")
    parser.add_argument("--no-bundle", action="store_true",
                        help="remove a=group:BUNDLE from the offer")
    parser.add_argument("--no-datachannel", action="store_true", help="offer audio and video only")
    parser.add_argument("--verbose", action="store_true", help="aiortc's own debug log on stderr")
    args = parser.parse_args()
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    result = asyncio.run(run(args))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
