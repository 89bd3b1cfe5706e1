#!/usr/bin/python3
"""Lip sync through the VideoRoom, with aiortc (Debian's python3-aiortc) on both ends.

An aiortc publisher whose clock runs --shift seconds ahead of this machine's (its RTCP sender
reports say so; its RTP timestamps follow its media as usual) publishes a tone and a test pattern
in a new room; an aiortc subscriber receives both. The subscriber's RTCP sender reports and the
RTP timestamps it receives, with their arrival times, are printed as one JSON object for the
calling test, which checks that the server passed the publisher's clock on (translated into the
subscriber's timestamps) instead of making up its own. Diagnostics go to stderr; only 127.0.0.1
is used for ICE.

With --jitter-ms the publisher reaches the server through udp_jitter_relay.py, which delays each
datagram by up to that much, and the script measures lip sync: the publisher's sender reports
map RTP timestamps to capture time (as libwebrtc's do; aiortc's own stamp the time a packet was
sent), its video frames leave --video-lead-ms after their capture (a camera and encoder
pipeline), and each packet the subscriber receives carries the capture time of the frame it was
sent in ("capture", found by its payload, which the server forwards as it is apart from the VP8
descriptor). The publisher's report times go out as "publisher_reports" by kind.
"""
import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time

import numpy

import aiortc.rtcrtpreceiver as rtcrtpreceiver
import aiortc.rtcrtpsender as rtcrtpsender
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc import clock as real_clock
from aiortc.rtp import RtcpSenderInfo, RtcpSrPacket, RtpPacket
from av import AudioFrame
from aiortc_echo import JanusEvents, Pattern, Tone, consume  # beside this script

VIDEOROOM = "janus.plugin.videoroom"
MAX_PACKETS = 20000
NTP_UNIX_OFFSET_S = 2208988800
HERE = os.path.dirname(os.path.abspath(__file__))


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


class NoisyTone(Tone):
    """The tone with quiet noise from a fixed seed, so that no two Opus packets are alike."""

    def __init__(self):
        super().__init__()
        self.rng = numpy.random.default_rng(7)

    async def recv(self):
        frame = await super().recv()
        noise = self.rng.integers(-400, 400, frame.samples)
        wave = (frame.to_ndarray().reshape(-1) + noise).astype(numpy.int16)
        noisy = AudioFrame.from_ndarray(wave.reshape(1, -1), format="s16", layout="mono")
        noisy.pts, noisy.sample_rate, noisy.time_base = frame.pts, frame.sample_rate, frame.time_base
        return noisy


def vp8_descriptor_length(payload):
    """Bytes of the VP8 payload descriptor (RFC 7741 section 4.2), which the server rewrites."""
    if len(payload) < 1 or not payload[0] & 0x80:
        return 1
    if len(payload) < 2:
        return len(payload)
    x, length = payload[1], 2
    if x & 0x80:  # I: picture id, 7 or 15 bits
        length += 2 if len(payload) > length and payload[length] & 0x80 else 1
    if x & 0x40:  # L: TL0PICIDX
        length += 1
    if x & 0x30:  # T or K
        length += 1
    return min(length, len(payload))


def payload_key(kind, payload):
    payload = bytes(payload)
    return kind, payload[vp8_descriptor_length(payload):] if kind == "video" else payload


class CaptureClock:
    """Publisher side: the capture time of each encoded frame (its track's start plus its
    timestamp, minus video_lead for video), by RTP timestamp for the sender reports and by
    payload for the subscriber. Ambiguous payloads map to None."""

    def __init__(self, shift, video_lead):
        self.shift, self.video_lead = shift, video_lead
        self.by_payload, self.by_rtp = {}, {}
        self.pending = None
        self.report_times = {"audio": [], "video": []}

    def lookup(self, kind, payload):
        return self.by_payload.get(payload_key(kind, payload))

    def install(self):
        clock = self
        next_encoded_frame = rtcrtpsender.RTCRtpSender._next_encoded_frame

        async def encoded(sender, codec):
            frame = await next_encoded_frame(sender, codec)
            kind = sender.kind
            rate = 48000 if kind == "audio" else 90000
            capture = sender.track._start + frame.timestamp / rate
            capture -= clock.video_lead if kind == "video" else 0
            # The sender makes this frame's packets before it awaits anything.
            clock.pending = (kind, capture)
            for payload in frame.payloads:
                key = payload_key(kind, payload)
                clock.by_payload[key] = None if key in clock.by_payload else capture
            return frame

        class StampedPacket(RtpPacket):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if clock.pending:
                    clock.by_rtp[self.timestamp] = clock.pending
                    while len(clock.by_rtp) > 4000:
                        del clock.by_rtp[next(iter(clock.by_rtp))]

        def sender_info(ntp_timestamp, rtp_timestamp, packet_count, octet_count):
            kind, capture = clock.by_rtp.get(rtp_timestamp, (None, None))
            if kind:
                ntp_timestamp = int((capture + clock.shift + NTP_UNIX_OFFSET_S) * 2**32)
                clock.report_times[kind].append(time.time())
            return RtcpSenderInfo(ntp_timestamp=ntp_timestamp, rtp_timestamp=rtp_timestamp,
                                  packet_count=packet_count, octet_count=octet_count)

        rtcrtpsender.RTCRtpSender._next_encoded_frame = encoded
        rtcrtpsender.RtpPacket = StampedPacket
        rtcrtpsender.RtcpSenderInfo = sender_info


class Recorder:
    """What the subscriber's receivers get: sender reports and RTP timestamps, by arrival."""

    def __init__(self, capture_clock=None):
        self.receivers = set()
        self.reports = []
        self.packets = []
        self.capture_clock = capture_clock

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
                if recorder.capture_clock and receiver.track:
                    recorder.packets[-1].update(kind=receiver.track.kind,
                                                capture=recorder.capture_clock.lookup(
                                                    receiver.track.kind, packet.payload))
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
    pc.addTrack(NoisyTone() if args.jitter_ms else Tone())
    pc.addTrack(Pattern(args.width, args.height))
    await pc.setLocalDescription(await pc.createOffer())
    offer = pc.localDescription.sdp
    if args.jitter_ms:
        offer = without_candidates(offer)  # the server learns the relay's address from checks
    event = await request(api, handle, {"request": "joinandconfigure", "room": room,
                                        "ptype": "publisher", "display": "aiortc"},
                          {"type": "offer", "sdp": offer}, args.timeout)
    answer = event["jsep"]["sdp"]
    relay = None
    if args.jitter_ms:
        answer, relay = through_relay(answer, args.jitter_ms)
    await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
    return pc, event["plugindata"]["data"]["id"], relay


CANDIDATE = re.compile(r"^a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host", re.I | re.M)


def without_candidates(sdp):
    return "".join(line for line in sdp.splitlines(True) if not line.startswith("a=candidate:"))


def through_relay(answer, jitter_ms):
    """Starts a jitter relay to the answer's first UDP host candidate and leaves the answer
    that one candidate, at the relay's port. Returns the answer and the relay process."""
    found = CANDIDATE.search(answer)
    if not found:
        raise RuntimeError(f"no UDP host candidate in the answer:\n{answer}")
    relay = subprocess.Popen([sys.executable, os.path.join(HERE, "udp_jitter_relay.py"),
                              "--target", f"{found.group(1)}:{found.group(2)}",
                              "--max-delay-ms", str(jitter_ms)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = relay.stdout.readline().strip()
    if not port.isdigit():
        raise RuntimeError("the jitter relay did not start")
    kept = found.group(0).replace(f" {found.group(2)} typ", f" {port} typ")
    lines = []
    for line in answer.splitlines(True):
        if line.startswith(found.group(0)) and kept:
            lines.append(kept + "\r\n")
            kept = None
        elif not line.startswith("a=candidate:"):
            lines.append(line)
    log(f"publisher reaches the server through a jitter relay on port {port}")
    return "".join(lines), relay


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


def lip_sync_ready(args, recorder, capture_clock):
    """Jitter mode: every stream received args.reports sender reports after the publisher's
    second report of each kind went out (by then its first one has reached the server)."""
    times = capture_clock.report_times
    if len(times["audio"]) < 2 or len(times["video"]) < 2:
        return False
    start = max(times["audio"][1], times["video"][1])
    media = {p["ssrc"] for p in recorder.packets}
    return len(media) >= 2 and all(
        sum(1 for r in recorder.reports if r["ssrc"] == s and r["at"] > start) >= args.reports
        for s in media)


async def run(args):
    rtcrtpsender.clock = ShiftedClock(args.shift)
    capture_clock = None
    if args.jitter_ms:
        capture_clock = CaptureClock(args.shift, args.video_lead_ms / 1000)
        capture_clock.install()
    recorder = Recorder(capture_clock)
    recorder.install()
    api = JanusEvents(args.base, "aiortc_lipsync")
    api.session = api.post({"janus": "create"})["data"]["id"]
    api.start_polling()
    result = {"shift": args.shift}
    pcs, tasks, relay = [], [], None
    try:
        publisher, feed, relay = await publish(api, args, args.room)
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
            if capture_clock:
                enough = lip_sync_ready(args, recorder, capture_clock)
            if len(media) >= 2 and enough:
                break
            await asyncio.sleep(0.2)
        result.update(video=counts["video"], audio=counts["audio"])
        if capture_clock:
            result["publisher_reports"] = capture_clock.report_times
    finally:
        for pc in pcs:
            await pc.close()
        for task in tasks:
            task.cancel()
        if relay:
            relay.kill()
            relay.wait()
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
    parser.add_argument("--jitter-ms", type=float, default=0,
                        help="reach the server through a relay adding up to this much delay, "
                        "and record each received packet's capture time")
    parser.add_argument("--video-lead-ms", type=float, default=80,
                        help="with --jitter-ms: how long after capture video frames are sent")
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=240)
    args = parser.parse_args()
    json.dump(asyncio.run(run(args)), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
