// Streaming plugin helpers for the media tests: a janode Streaming handle that keeps every raw
// Janus message it gets, a GStreamer pipeline feeding a mountpoint's ports with plain RTP
// (VP8 test pattern + Opus tone), and a viewer (a libwebrtc SubscriberPeer) that watches.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import StreamingPlugin from 'janode/plugins/streaming';
import { waitUntil } from './peer.js';
import { SubscriberPeer } from './videoroom.js';

export const STREAMING = StreamingPlugin.id;

export function streamingData(message) {
    return message?.plugindata?.plugin === STREAMING ? message.plugindata.data : undefined;
}

// A janode Streaming handle plus the raw messages the server sent to it, in arrival order.
export class StreamHandle {
    constructor(handle) {
        this.handle = handle;
        this.messages = [];
        const original = handle._handleMessage.bind(handle);
        handle._handleMessage = (message) => {
            this.messages.push(message);
            return original(message);
        };
        this.peer = null;
        this.appliedTrickles = 0;
    }

    static async attach(session) {
        return new StreamHandle(await session.attach(StreamingPlugin));
    }

    // Sends a request and resolves with the plugin data of the reply (synchronous requests)
    // or of the event answering it (asynchronous ones), errors included.
    async request(body, jsep) {
        try {
            const reply = await this.handle.message(body, jsep);
            return { data: streamingData(reply), jsep: reply.jsep };
        } catch (error) {
            // janode rejects plugin errors: give back the code and text.
            const match = /^(\d+) (.*)$/s.exec(error.message);
            if (!match) throw error;
            return { data: { error_code: Number(match[1]), error: match[2] } };
        }
    }

    // Events pushed without a transaction of ours, from index `from`.
    notifications(from = 0) {
        return this.messages.slice(from).filter((m) => m.janus === 'event' && !m.transaction)
            .map(streamingData).filter(Boolean);
    }

    async waitStatus(status, { from = 0, timeoutMs = 10000 } = {}) {
        await waitUntil(() => this.notifications(from).some((d) => d.result?.status === status),
            () => `status ${status} (got ${JSON.stringify(this.notifications(from))})`, timeoutMs);
    }

    ofType(janus, from = 0) {
        return this.messages.slice(from).filter((m) => m.janus === janus);
    }

    applyTrickles() {
        if (!this.peer?.pc.remoteDescription) return;
        const trickles = this.ofType('trickle');
        for (; this.appliedTrickles < trickles.length; this.appliedTrickles++) {
            const { candidate } = trickles[this.appliedTrickles];
            if (!candidate || candidate.completed) continue;
            if (this.peer.pc.signalingState === 'closed') continue;
            this.peer.pc.addIceCandidate(candidate).catch(() => {});
        }
    }

    // watch -> our offer -> the viewer's answer with start; resolves once ICE and DTLS are up.
    async watch(id, extra = {}) {
        const watched = await this.request({ request: 'watch', id, ...extra });
        assert.equal(watched.data?.result?.status, 'preparing', JSON.stringify(watched.data));
        this.peer = new SubscriberPeer();
        this.peer.timers.push(setInterval(() => this.applyTrickles(), 20));
        const answer = await this.peer.answer(watched.jsep);
        const started = await this.request({ request: 'start' }, answer);
        assert.equal(started.data?.result?.status, 'starting', JSON.stringify(started.data));
        await this.peer.waitConnected();
        return watched.jsep;
    }

    close() {
        this.peer?.close();
    }
}

// A live VP8 test pattern (width x height, a keyframe every `keyframeEvery` frames at 15 fps)
// and an Opus tone, sent as plain RTP to 127.0.0.1:videoPort and :audioPort.
export class RtpSource {
    constructor({ videoPort, audioPort, width = 320, height = 240, keyframeEvery = 600,
        pattern = 'ball' }) {
        const args = ['-q',
            'videotestsrc', 'is-live=true', `pattern=${pattern}`, '!',
            `video/x-raw,width=${width},height=${height},framerate=15/1`, '!',
            'vp8enc', 'deadline=1', 'cpu-used=8', 'target-bitrate=300000',
            `keyframe-max-dist=${keyframeEvery}`, '!',
            'rtpvp8pay', 'pt=96', 'mtu=1200', 'picture-id-mode=15-bit', '!',
            'udpsink', 'host=127.0.0.1', `port=${videoPort}`, 'sync=false'];
        if (audioPort) {
            args.push('audiotestsrc', 'is-live=true', 'wave=sine', 'freq=440', '!',
                'audioconvert', '!', 'audioresample', '!', 'opusenc', '!',
                'rtpopuspay', 'pt=111', '!',
                'udpsink', 'host=127.0.0.1', `port=${audioPort}`, 'sync=false');
        }
        this.child = spawn('gst-launch-1.0', args, { stdio: ['ignore', 'ignore', 'pipe'] });
        this.stderr = '';
        this.child.stderr.on('data', (chunk) => { this.stderr += chunk; });
        this.exited = false;
        this.child.on('exit', () => { this.exited = true; });
    }

    stop() {
        if (!this.exited) this.child.kill('SIGKILL');
    }
}

// The media array of an Opus + VP8 mountpoint whose ports the server picks.
export function opusVp8Media() {
    return [
        { type: 'audio', mid: 'a', port: 0, pt: 111, codec: 'opus' },
        { type: 'video', mid: 'v', port: 0, pt: 96, codec: 'vp8' },
    ];
}

// A mountpoint (Opus + VP8, ports picked by the server) made through `manager`, its video fed by
// a GStreamer source of `size` (a keyframe every 40 s), once it keeps a keyframe. `video()` is
// the video stream's entry of "info" (frames and keyframes the source sent).
export async function fedMountpoint(manager, size) {
    const { data } = await manager.request({ request: 'create', type: 'rtp',
        media: opusVp8Media() });
    const { id, ports } = data.stream;
    const source = new RtpSource({ videoPort: ports[1].port, ...size, keyframeEvery: 600 });
    const video = async () => (await manager.request({ request: 'info', id })).data.info.media[1];
    await waitUntil(async () => (await video()).keyframes >= 1, 'a kept keyframe', 30000, 200);
    return { id, source, video };
}

// Over a window of 60 frames as the source sent them (however slowly it encodes), the viewer
// (`decoded()`: its frames so far) must decode 90 % by the time the source sent 30 more: a frame
// repaired by a retransmission is late by a few round trips, not by 2 s. Unrepaired, 5 % loss
// breaks about a frame in six and the ones after it until a keyframe: about 25 of 60 decode.
export async function assertViewerKeepsUp(video, decoded) {
    const from = decoded();
    const framesBefore = (await video()).frames;
    await waitUntil(async () => (await video()).frames - framesBefore >= 60,
        'the source to send 60 frames', 30000, 200);
    const sent = (await video()).frames - framesBefore;
    const enough = () => decoded() - from >= 0.9 * sent;
    await waitUntil(async () => enough() || (await video()).frames - framesBefore >= sent + 30,
        'the frames or the source to send 30 frames more', 30000, 50);
    const count = decoded() - from;
    assert.ok(count >= 0.9 * sent, `only ${count} frames decoded of ${sent} sent`);
}

// A streaming viewer's libwebrtc inbound-rtp statistics of one kind ('audio' or 'video').
export async function inboundStats(viewer, kind) {
    const found = (await viewer.peer.stats('inbound-rtp')).find((s) => s.kind === kind);
    assert.ok(found, `no inbound-rtp ${kind} statistics`);
    return found;
}

// Between two inbound-rtp video statistics `before` and `after` of one viewer, around
// `switches` switches of mountpoint: the decoder went on without an error. The SSRC stays,
// sequence numbers continue (a jump counts as thousands lost), every switch started from the
// new mountpoint's kept keyframe, no frame was dropped and no keyframe asked for beyond one
// per switch (a decoder error sends a PLI).
export function assertCleanSwitch(before, after, { switches = 1, decoded = 20 } = {}) {
    const what = (name) =>
        `${name} across ${switches} switch(es): ${before[name]} -> ${after[name]}`;
    assert.equal(after.ssrc, before.ssrc, 'the viewer got a new SSRC');
    assert.ok(after.framesDecoded - before.framesDecoded >= decoded, what('framesDecoded'));
    assert.ok(after.packetsLost - before.packetsLost < 50, what('packetsLost'));
    assert.ok(after.keyFramesDecoded - before.keyFramesDecoded >= switches,
        what('keyFramesDecoded'));
    assert.ok((after.framesDropped ?? 0) - (before.framesDropped ?? 0) <= 2 * switches,
        what('framesDropped'));
    assert.ok(after.pliCount - before.pliCount <= switches, what('pliCount'));
}
