#!/usr/bin/python3
"""A GStreamer webrtcbin peer (Debian's GStreamer 1.22 with libnice) for the echotest, driven
over the Janus HTTP API.

It creates a session, attaches janus.plugin.echotest, offers a VP8 test pattern (videotestsrc)
and an Opus tone (audiotestsrc) from one webrtcbin with bundle-policy max-bundle, trickles its
candidates, decodes what comes back (vp8dec, opusdec) and counts the decoded video frames by
size and the decoded audio buffers. It prints one JSON object on stdout for the calling test to
check. Diagnostics go to stderr. Only 127.0.0.1 is used for ICE: no STUN or TURN server.
"""
import argparse
import ctypes
import json
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("Nice", "0.1")
from gi.repository import Gst, GstSdp, GstWebRTC, Nice  # noqa: E402
from janus_http import JanusHttp, add_common_arguments  # noqa: E402 (beside this script)

ECHOTEST = "janus.plugin.echotest"
VIDEO_PT = 96
AUDIO_PT = 111



def log(*args):
    print("gst_echo:", *args, file=sys.stderr, flush=True)


class JanusEvents(JanusHttp):
    def wait_event(self, match, timeout):
        deadline = time.time() + timeout
        while time.time() < deadline:
            event = self.find_event(match)
            if event:
                return event
            time.sleep(0.05)
        return None


class Counts:
    """What the decoders produced, updated from GStreamer streaming threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.video = {}
        self.audio = 0
        self.audio_samples = 0

    def on_video(self, pad, info):
        structure = pad.get_current_caps().get_structure(0)
        key = f"{structure.get_value('width')}x{structure.get_value('height')}"
        with self.lock:
            self.video[key] = self.video.get(key, 0) + 1
        return Gst.PadProbeReturn.OK

    def on_audio(self, pad, info):
        structure = pad.get_current_caps().get_structure(0)
        bytes_per_sample = 2 * structure.get_value("channels")  # opusdec gives S16LE
        with self.lock:
            self.audio += 1
            self.audio_samples += info.get_buffer().get_size() // bytes_per_sample
        return Gst.PadProbeReturn.OK

    def enough(self, size, frames):
        with self.lock:
            return self.video.get(size, 0) >= frames and self.audio >= frames


def build_pipeline(args):
    """webrtcbin fed by a live VP8 test pattern and a live Opus tone."""
    description = (
        "webrtcbin name=webrtc bundle-policy=max-bundle "
        f"videotestsrc is-live=true pattern=ball ! video/x-raw,width={args.width},"
        f"height={args.height},framerate=30/1 ! vp8enc deadline=1 cpu-used=8 "
        f"keyframe-max-dist=30 ! rtpvp8pay pt={VIDEO_PT} ! application/x-rtp,media=video,"
        f"encoding-name=VP8,clock-rate=90000,payload={VIDEO_PT} ! webrtc. "
        "audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! audioresample ! "
        f"opusenc ! rtpopuspay pt={AUDIO_PT} ! application/x-rtp,media=audio,"
        f"encoding-name=OPUS,clock-rate=48000,payload={AUDIO_PT} ! webrtc. "
    )
    pipeline = Gst.parse_launch(description)
    return pipeline, pipeline.get_by_name("webrtc")


def keep_ice_agent(webrtc):
    """webrtcbin's "ice-agent" (a GstWebRTCNice) with the reference webrtcbin believes it owns.

    GStreamer 1.22's webrtcbin keeps the agent on the floating reference it was created with;
    PyGObject sinks that reference when it wraps the object, so the Python wrapper ends up
    owning webrtcbin's only reference (__grefcount__ is 1) and the agent is freed with the
    wrapper while webrtcbin still uses it (CRITICALs, then a crash). One more reference, taken
    here through libgobject, gives webrtcbin its own back."""
    ice = webrtc.get_property("ice-agent")
    if ice.__grefcount__ == 1:
        gobject = ctypes.CDLL("libgobject-2.0.so.0")
        gobject.g_object_ref.argtypes = [ctypes.c_void_p]
        gobject.g_object_ref.restype = ctypes.c_void_p
        capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
        capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
        capsule_pointer.restype = ctypes.c_void_p
        gobject.g_object_ref(capsule_pointer(ice.__gpointer__, None))
    return ice


def gather_on_loopback(webrtc):
    """Makes libnice gather 127.0.0.1 only: by default it leaves loopback addresses out, and
    the tests run in a network namespace that has nothing else. Explicit local addresses
    replace libnice's interface enumeration. No UPnP and no ICE-TCP either."""
    ice = keep_ice_agent(webrtc)
    agent = ice.get_property("agent")
    address = Nice.Address.new()
    address.set_from_string("127.0.0.1")
    agent.add_local_address(address)
    agent.set_property("upnp", False)
    ice.set_property("ice-tcp", False)
    return agent


def attach_decoder(pipeline, counts, pad):
    """Decodes what webrtcbin receives on `pad` and counts it at the decoder's output."""
    caps = pad.get_current_caps() or pad.query_caps(None)
    media = caps.get_structure(0).get_string("media")
    if media == "video":
        chain = "rtpvp8depay ! vp8dec name=dec ! fakesink sync=false async=false"
        probe = counts.on_video
    elif media == "audio":
        chain = "rtpopusdepay ! opusdec name=dec ! fakesink sync=false async=false"
        probe = counts.on_audio
    else:
        log("ignoring received pad with caps", caps.to_string())
        return
    branch = Gst.parse_bin_from_description(chain, True)
    pipeline.add(branch)
    branch.get_by_name("dec").get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, probe)
    branch.sync_state_with_parent()
    result = pad.link(branch.get_static_pad("sink"))
    if result != Gst.PadLinkReturn.OK:
        log("linking the", media, "decoder failed:", result)


def await_promise(promise):
    if promise.wait() != Gst.PromiseResult.REPLIED:
        raise RuntimeError("webrtcbin promise not replied")
    return promise.get_reply()


def create_offer(webrtc):
    promise = Gst.Promise.new()
    webrtc.emit("create-offer", None, promise)
    reply = await_promise(promise)
    offer = reply.get_value("offer")
    if offer is None:
        raise RuntimeError(f"create-offer failed: {reply.to_string()}")
    promise = Gst.Promise.new()
    webrtc.emit("set-local-description", offer, promise)
    await_promise(promise)
    return offer.sdp.as_text()


def set_answer(webrtc, sdp_text):
    ok, sdp = GstSdp.SDPMessage.new_from_text(sdp_text)
    if ok != GstSdp.SDPResult.OK:
        return "the answer does not parse as SDP"
    answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp)
    promise = Gst.Promise.new()
    webrtc.emit("set-remote-description", answer, promise)
    reply = await_promise(promise)
    if reply is not None and reply.has_field("error"):
        return str(reply.get_value("error"))
    return None


class Trickler:
    """Sends webrtcbin's candidates to the server as trickles once the offer is out, then
    {"completed": true} when gathering ends."""

    def __init__(self, api, handle):
        self.api, self.handle = api, handle
        self.lock = threading.Lock()
        self.pending = []
        self.ready = False
        self.sent = []

    def on_candidate(self, webrtc, mline, candidate):
        self.push({"sdpMLineIndex": mline, "candidate": candidate})

    def on_gathering(self, webrtc, pspec):
        if webrtc.get_property("ice-gathering-state") == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            self.push({"completed": True})

    # Sends happen under the lock, so the server gets the candidates in gathering order and
    # the end of candidates last.
    def push(self, candidate):
        with self.lock:
            if self.ready:
                self.send(candidate)
            else:
                self.pending.append(candidate)

    def offer_sent(self):
        with self.lock:
            self.ready = True
            for candidate in self.pending:
                self.send(candidate)
            self.pending = []

    def send(self, candidate):
        reply = self.api.post({"janus": "trickle", "candidate": candidate},
                              f"/{self.api.session}/{self.handle}")
        self.sent.append({"candidate": candidate, "reply": reply.get("janus")})


def bus_error(pipeline):
    message = pipeline.get_bus().pop_filtered(Gst.MessageType.ERROR)
    if message is None:
        return None
    error, debug = message.parse_error()
    return f"{error.message} ({debug})"


def add_remote_trickles(api, webrtc, seen):
    """Hands webrtcbin the candidates the server trickles (if it does) after its answer."""
    with api.lock:
        trickles = [e for e in api.events if e.get("janus") == "trickle"]
    for event in trickles[len(seen):]:
        seen.append(event)
        candidate = event.get("candidate", {})
        if "candidate" in candidate:
            webrtc.emit("add-ice-candidate", candidate.get("sdpMLineIndex", 0),
                        candidate["candidate"])


def call(api, handle, pipeline, webrtc, counts, args, result):
    trickler = Trickler(api, handle)
    result["trickles_sent"] = trickler.sent
    webrtc.connect("on-ice-candidate", trickler.on_candidate)
    webrtc.connect("notify::ice-gathering-state", trickler.on_gathering)
    webrtc.connect("pad-added", lambda _, pad: attach_decoder(pipeline, counts, pad))
    # webrtcbin can offer once its sink pads know their caps: it says so with this signal.
    negotiation = threading.Event()
    webrtc.connect("on-negotiation-needed", lambda _: negotiation.set())
    pipeline.set_state(Gst.State.PLAYING)
    if not negotiation.wait(args.timeout):
        raise RuntimeError("webrtcbin never asked for negotiation")

    sdp = create_offer(webrtc)
    result["offer_sdp"] = sdp
    body = {"audio": True, "video": True}
    sent = api.post({"janus": "message", "body": body, "jsep": {"type": "offer", "sdp": sdp}},
                    f"/{api.session}/{handle}")
    result["message_reply"] = sent
    if sent.get("janus") == "error":
        return
    trickler.offer_sent()
    tx = sent["_transaction"]
    event = api.wait_event(lambda e: e.get("transaction") == tx and e.get("janus") == "event",
                           args.timeout)
    result["answer_event"] = event
    if not event or "jsep" not in event:
        return
    result["answer_error"] = set_answer(webrtc, event["jsep"]["sdp"])
    if result["answer_error"]:
        return

    want = f"{args.width}x{args.height}"
    seen = []
    deadline = time.time() + args.timeout
    while time.time() < deadline and not counts.enough(want, args.frames):
        add_remote_trickles(api, webrtc, seen)
        error = bus_error(pipeline)
        if error:
            result["pipeline_error"] = error
            break
        time.sleep(0.1)
    result["ice_state"] = webrtc.get_property("ice-connection-state").value_nick
    result["connection_state"] = webrtc.get_property("connection-state").value_nick
    hangup = api.post({"janus": "hangup"}, f"/{api.session}/{handle}")
    result["hangup_reply"] = hangup
    api.wait_event(lambda e: e.get("janus") == "hangup", 5)


def run(args):
    api = JanusEvents(args.base, "gst_echo")
    result = {"events": [], "video": {}, "audio": 0, "audio_samples": 0}
    api.session = api.post({"janus": "create"})["data"]["id"]
    handle = api.post({"janus": "attach", "plugin": ECHOTEST}, f"/{api.session}")["data"]["id"]
    result.update(session=api.session, handle=handle)
    api.start_polling()

    pipeline, webrtc = build_pipeline(args)
    agent = gather_on_loopback(webrtc)
    counts = Counts()
    try:
        call(api, handle, pipeline, webrtc, counts, args, result)
        result["nomination_mode"] = agent.get_property("nomination-mode").value_nick
        result["controlling"] = agent.get_property("controlling-mode")
    finally:
        with counts.lock:
            result["video"] = dict(counts.video)
            result["audio"] = counts.audio
            result["audio_samples"] = counts.audio_samples
        pipeline.set_state(Gst.State.NULL)
        api.finish(result)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    add_common_arguments(parser, "echoed video frames and audio buffers to wait for")
    args = parser.parse_args()
    Gst.init(None)
    result = run(args)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
