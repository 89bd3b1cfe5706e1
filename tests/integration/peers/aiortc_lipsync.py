#!/usr/bin/python3
"""Lip sync through the VideoRoom, with aiortc (Debian's python3-aiortc) on both ends.

An aiortc publisher whose clock runs --shift seconds ahead of this machine's (its RTCP sender
reports say so; its RTP timestamps follow its media as usual) publishes a tone and a test pattern
in a new room; an aiortc subscriber receives both. The subscriber's RTCP sender reports and the
RTP timestamps it receives, with their arrival times, are printed as one JSON object for the
calling test, which checks that the server passed the publisher's clock on (translated into the
subscriber's timestamps) instead of making up its own. Diagnostics go to stderr; only 127.0.0.1
is used for ICE.
"""
import argparse
import asyncio
import json
import sys
import time

import aiortc.rtcrtpreceiver as rtcrtpreceiver
import aiortc.rtcrtpsender as rtcrtpsender
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc import clock as real_clock
from aiortc.rtp import RtcpSrPacket
from aiortc_echo import JanusEvents, Pattern, Tone, consume  # beside this script

VIDEOROOM = "janus.plugin.videoroom"
MAX_PACKETS = 20000


def log(*args):
    print("aiortc_lipsync:", *args, file=sys.stderr, flush=True)


class ShiftedClock:
    """aiortc's clock module as the publisher's senders see it: NTP time `shift` seconds ahead."""

    def __init__(self, shift):
        self.shift = shift

    def current_ntp_time(self):
        return real_clock.current_ntp_time() + (self.shift << 32)

    def __getattr__(self, name):
        return getattr(real_clock, name)


class Recorder:
    """What the subscriber's receivers get: sender reports and RTP timestamps, by arrival."""

    def __init__(self):
        self.receivers = set()
        self.reports = []
        self.packets = []

    def install(self):
        recorder = self
        handle_rtcp = rtcrtpreceiver.RTCRtpReceiver._handle_rtcp_packet
        handle_rtp = rtcrtpreceiver.RTCRtpReceiver._handle_rtp_packet

        async def rtcp(receiver, packet):
            if receiver in recorder.receivers and isinstance(packet, RtcpSrPacket):
                info = packet.sender_info
                recorder.reports.append({"ssrc": packet.ssrc, "ntp": info.ntp_timestamp,
                                         "rtp": info.rtp_timestamp, "at": time.time()})
            await handle_rtcp(receiver, packet)

        async def rtp(receiver, packet, arrival_time_ms):
            if receiver in recorder.receivers and len(recorder.packets) < MAX_PACKETS:
                recorder.packets.append({"ssrc": packet.ssrc, "pt": packet.payload_type,
                                         "ts": packet.timestamp, "at": time.time()})
            await handle_rtp(receiver, packet, arrival_time_ms)

        rtcrtpreceiver.RTCRtpReceiver._handle_rtcp_packet = rtcp
        rtcrtpreceiver.RTCRtpReceiver._handle_rtp_packet = rtp


async def request(api, handle, body, jsep, timeout):
    """A VideoRoom request whose answer comes as an event: returns that event."""
    message = {"janus": "message", "body": body}
    if jsep:
        message["jsep"] = jsep
    sent = api.post(message, f"/{api.session}/{handle}")
    if sent.get("janus") == "error":
        raise RuntimeError(f"{body['request']}: {sent}")
    if sent.get("janus") == "success":
        return sent
    tx = sent["_transaction"]
    event = await api.wait_event(
        lambda e: e.get("transaction") == tx and e.get("janus") == "event", timeout)
    if not event:
        raise RuntimeError(f"no answer to {body['request']}")
    data = event.get("plugindata", {}).get("data", {})
    if "error" in data:
        raise RuntimeError(f"{body['request']}: {data}")
    return event


async def publish(api, args, room):
    handle = api.post({"janus": "attach", "plugin": VIDEOROOM}, f"/{api.session}")["data"]["id"]
    await request(api, handle, {"request": "create", "room": room, "publishers": 2,
                                "spread_subscribers": args.spread_subscribers}, None, args.timeout)
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(Tone())
    pc.addTrack(Pattern(args.width, args.height))
    await pc.setLocalDescription(await pc.createOffer())
    event = await request(api, handle, {"request": "joinandconfigure", "room": room,
                                        "ptype": "publisher", "display": "aiortc"},
                          {"type": "offer", "sdp": pc.localDescription.sdp}, args.timeout)
    await pc.setRemoteDescription(RTCSessionDescription(event["jsep"]["sdp"], "answer"))
    return pc, event["plugindata"]["data"]["id"]


async def subscribe(api, args, room, feed, recorder):
    handle = api.post({"janus": "attach", "plugin": VIDEOROOM}, f"/{api.session}")["data"]["id"]
    event = await request(api, handle, {"request": "join", "room": room, "ptype": "subscriber",
                                        "streams": [{"feed": feed}]}, None, args.timeout)
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    counts = {"video": {}, "audio": 0, "audio_samples": 0}
    tasks = []
    pc.on("track", lambda track: tasks.append(asyncio.ensure_future(consume(track, counts))))
    await pc.setRemoteDescription(RTCSessionDescription(event["jsep"]["sdp"], "offer"))
    recorder.receivers.update(pc.getReceivers())
    await pc.setLocalDescription(await pc.createAnswer())
    await request(api, handle, {"request": "start"},
                  {"type": "answer", "sdp": pc.localDescription.sdp}, args.timeout)
    return pc, counts, tasks, event["jsep"]["sdp"]


def shifted(report, shift):
    """Whether a sender report carries the publisher's clock (within 2 s)."""
    ahead = real_clock.datetime_from_ntp(report["ntp"]).timestamp() - report["at"]
    return abs(ahead - shift) < 2


async def run(args):
    rtcrtpsender.clock = ShiftedClock(args.shift)
    recorder = Recorder()
    recorder.install()
    api = JanusEvents(args.base, "aiortc_lipsync")
    api.session = api.post({"janus": "create"})["data"]["id"]
    api.start_polling()
    result = {"shift": args.shift}
    pcs, tasks = [], []
    try:
        publisher, feed = await publish(api, args, args.room)
        pcs.append(publisher)
        offers = []
        for _ in range(args.subscribers):
            subscriber, counts, more, offer = await subscribe(api, args, args.room, feed, recorder)
            pcs.append(subscriber)
            tasks += more
            offers.append(offer)
        result["offers"] = offers
        # Until both streams had a few reports with the publisher's clock (RTCP comes every
        # second or so); the test checks them all.
        deadline = time.time() + args.timeout
        while time.time() < deadline:
            media = {p["ssrc"] for p in recorder.packets}
            enough = all(sum(1 for r in recorder.reports if r["ssrc"] == s and
                             shifted(r, args.shift)) >= args.reports for s in media)
            if len(media) >= 2 and enough:
                break
            await asyncio.sleep(0.2)
        result.update(video=counts["video"], audio=counts["audio"])
    finally:
        for pc in pcs:
            await pc.close()
        for task in tasks:
            task.cancel()
        api.finish(result)
    result["reports"] = recorder.reports
    result["packets"] = recorder.packets
    log(f"{len(recorder.reports)} sender reports, {len(recorder.packets)} packets")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="Janus REST base URL")
    parser.add_argument("--room", type=int, required=True, help="a room id not in use")
    parser.add_argument("--shift", type=int, default=1000,
                        help="seconds the publisher's clock runs ahead")
    parser.add_argument("--reports", type=int, default=3,
                        help="reports with the publisher's clock to wait for on each stream")
    parser.add_argument("--subscribers", type=int, default=1)
    parser.add_argument("--spread-subscribers", type=int, default=100,
                        help="the room's spread_subscribers: subscribers beyond it go to other workers")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for each step")
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=240)
    args = parser.parse_args()
    json.dump(asyncio.run(run(args)), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
