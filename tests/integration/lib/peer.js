// A libwebrtc peer (npm @roamhq/wrtc) for the media tests: it sends a synthetic tone and a
// moving test pattern, counts what comes back (decoded video frames by size, audio callbacks)
// and echoes data channel messages. Only 127.0.0.1 is used: no STUN or TURN server.
import assert from 'node:assert/strict';
import wrtc from '@roamhq/wrtc';

const { RTCPeerConnection } = wrtc;
const { RTCAudioSource, RTCAudioSink, RTCVideoSource, RTCVideoSink } = wrtc.nonstandard;

// libwebrtc's native objects crash the process in Node's environment cleanup when it ends on
// its own once a track has existed (node-webrtc issue 636: a segfault in ~node_napi_env__).
// Ending it with process.exit() from the 'exit' event skips that cleanup and keeps the exit code
// already chosen; it is armed only once the event loop ran dry, so errors still print as usual.
process.once('beforeExit', () => {
    process.on('exit', (code) => process.exit(process.exitCode ?? code));
});

const SAMPLE_RATE = 48000;
const AUDIO_FRAME_MS = 10;

// Polls `predicate` (which may be async) until it holds; fails with `what` (a string or a
// function giving one).
export async function waitUntil(predicate, what, timeoutMs = 10000, stepMs = 50) {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
        if (Date.now() > deadline) {
            const text = typeof what === 'function' ? await what() : what;
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${text}`);
        }
        await new Promise((resolve) => setTimeout(resolve, stepMs));
    }
}

// One PeerConnection with an audio and a video track going out, sinks on what comes in, and an
// ordered data channel. Call close() at the end: it stops the timers, sinks and native threads.
export class EchoPeer {
    constructor({ width = 320, height = 240, fps = 20, audio = true, video = true,
        dataChannel = true } = {}) {
        this.width = width;
        this.height = height;
        this.pc = new RTCPeerConnection({
            iceServers: [],
            bundlePolicy: 'max-bundle',
            rtcpMuxPolicy: 'require',
        });
        this.candidates = []; // local candidates in gathering order, null marks the end
        this.candidateWaiters = [];
        this.timers = [];
        this.sinks = [];
        this.videoFrames = []; // {width, height, at} per decoded frame received
        this.audioCallbacks = 0;
        this.audioSamples = 0;
        this.audioPeak = 0;
        this.dataMessages = []; // messages received on the data channel, in order
        this.videoPaused = false; // set to stop feeding frames to the video track
        this.pc.onicecandidate = ({ candidate }) => {
            this.candidates.push(candidate ? candidate.toJSON() : null);
            for (const wake of this.candidateWaiters.splice(0)) wake();
        };
        this.pc.ontrack = ({ track }) => this.sinkTrack(track);
        if (audio) this.addTone();
        if (video) this.addPattern(fps);
        if (dataChannel) this.openDataChannel();
    }

    // A 440 Hz tone in 10 ms frames of 16-bit mono at 48 kHz.
    addTone() {
        const source = new RTCAudioSource();
        const perFrame = (SAMPLE_RATE * AUDIO_FRAME_MS) / 1000;
        let phase = 0;
        this.timers.push(setInterval(() => {
            const samples = new Int16Array(perFrame);
            for (let i = 0; i < perFrame; i++, phase++) {
                samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * phase) / SAMPLE_RATE));
            }
            source.onData({ samples, sampleRate: SAMPLE_RATE, bitsPerSample: 16,
                channelCount: 1, numberOfFrames: perFrame });
        }, AUDIO_FRAME_MS));
        this.audioTrack = source.createTrack();
        this.pc.addTrack(this.audioTrack);
    }

    // I420 frames whose luma is a bar moving across a gradient, so every frame differs.
    addPattern(fps) {
        const source = new RTCVideoSource();
        const { width, height } = this;
        let n = 0;
        this.timers.push(setInterval(() => {
            if (this.videoPaused) return;
            const data = new Uint8ClampedArray((width * height * 3) / 2);
            const bar = (n * 4) % width;
            for (let y = 0; y < height; y++) {
                for (let x = 0; x < width; x++) {
                    data[y * width + x] = Math.abs(x - bar) < 8 ? 235 : (x + y + n) & 0xff;
                }
            }
            data.fill(128, width * height);
            source.onFrame({ width, height, data });
            n++;
        }, Math.round(1000 / fps)));
        this.videoTrack = source.createTrack();
        this.pc.addTrack(this.videoTrack);
    }

    sinkTrack(track) {
        if (track.kind === 'video') {
            const sink = new RTCVideoSink(track);
            sink.onframe = ({ frame }) => {
                this.videoFrames.push({ width: frame.width, height: frame.height, at: Date.now() });
            };
            this.sinks.push(sink);
        } else if (track.kind === 'audio') {
            const sink = new RTCAudioSink(track);
            sink.ondata = ({ samples }) => {
                this.audioCallbacks++;
                this.audioSamples += samples.length;
                for (const sample of samples) {
                    this.audioPeak = Math.max(this.audioPeak, Math.abs(sample));
                }
            };
            this.sinks.push(sink);
        }
    }

    openDataChannel() {
        this.channel = this.pc.createDataChannel('echo', { ordered: true });
        this.channel.binaryType = 'arraybuffer';
        this.channel.onmessage = ({ data }) => this.dataMessages.push(data);
    }

    // Creates an offer and applies it locally; returns it as createOffer made it, before any
    // candidate was gathered (for trickle ICE).
    async offer(options = {}) {
        const offer = await this.pc.createOffer(options);
        await this.pc.setLocalDescription(offer);
        return { type: 'offer', sdp: offer.sdp };
    }

    // The local description once ICE gathering is over: every candidate is in it.
    async completeOffer(options = {}) {
        await this.offer(options);
        await waitUntil(() => this.pc.iceGatheringState === 'complete', 'ICE gathering to end');
        return { type: 'offer', sdp: this.pc.localDescription.sdp };
    }

    async applyAnswer(jsep) {
        assert.equal(jsep?.type, 'answer', `expected an SDP answer, got ${JSON.stringify(jsep)}`);
        await this.pc.setRemoteDescription(jsep);
    }

    // Resolves with the local candidate at `index` (null for end of gathering) once known.
    async candidateAt(index, timeoutMs = 10000) {
        await waitUntil(() => this.candidates.length > index, `local ICE candidate #${index}`,
            timeoutMs);
        return this.candidates[index];
    }

    async waitConnected(timeoutMs = 15000) {
        await waitUntil(() => ['connected', 'completed'].includes(this.pc.iceConnectionState),
            () => `ICE to connect (state ${this.pc.iceConnectionState})`, timeoutMs);
        await waitUntil(() => this.pc.connectionState === 'connected',
            () => `DTLS to connect (state ${this.pc.connectionState})`, timeoutMs);
    }

    // Frames received since index `from` with the size that was sent.
    framesOfSize(from = 0) {
        return this.videoFrames.slice(from)
            .filter((f) => f.width === this.width && f.height === this.height).length;
    }

    // Waits for `count` decoded frames of the sent size after index `from`.
    async waitFrames(count, { from = 0, timeoutMs = 15000 } = {}) {
        await waitUntil(() => this.framesOfSize(from) >= count, () => {
            const seen = this.videoFrames.slice(from).map((f) => `${f.width}x${f.height}`);
            const sizes = [...new Set(seen)];
            return `${count} echoed ${this.width}x${this.height} frames (got ` +
                `${this.framesOfSize(from)}; sizes seen: ${sizes.join(', ') || 'none'})`;
        }, timeoutMs);
    }

    async waitAudio(callbacks, { from = 0, timeoutMs = 15000 } = {}) {
        await waitUntil(() => this.audioCallbacks - from >= callbacks,
            () => `${callbacks} echoed audio callbacks (got ${this.audioCallbacks - from})`,
            timeoutMs);
    }

    async waitChannelOpen(timeoutMs = 15000) {
        await waitUntil(() => this.channel.readyState === 'open',
            () => `the data channel to open (state ${this.channel.readyState})`, timeoutMs);
    }

    // Sends `payload` on the data channel and resolves with the next message that comes back.
    async echo(payload, timeoutMs = 10000) {
        const from = this.dataMessages.length;
        this.channel.send(payload);
        await waitUntil(() => this.dataMessages.length > from, 'a data channel echo', timeoutMs);
        return this.dataMessages[from];
    }

    // RTCStatsReport entries of one type, as plain objects.
    async stats(type) {
        const report = await this.pc.getStats();
        return [...report.values()].filter((entry) => entry.type === type);
    }

    // Stops our timers, sources and sinks and closes the PeerConnection (no signalling).
    close() {
        for (const timer of this.timers.splice(0)) clearInterval(timer);
        for (const sink of this.sinks.splice(0)) sink.stop();
        this.audioTrack?.stop();
        this.videoTrack?.stop();
        if (this.pc.signalingState !== 'closed') this.pc.close();
    }
}
