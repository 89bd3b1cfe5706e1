// A WHEP viewer for the tests: a libwebrtc (@roamhq/wrtc) PeerConnection with recvonly audio
// and video whose offer goes to a WHEP endpoint with Node's fetch; counts decoded frames by size
// and audio callbacks.
import wrtc from '@roamhq/wrtc';
import { waitUntil } from './peer.js';
import { whipPost } from './whip.js';

const { RTCPeerConnection } = wrtc;
const { RTCVideoSink, RTCAudioSink } = wrtc.nonstandard;

// A WHEP viewer: recvonly audio and video, every candidate in the offer; counts decoded frames
// by size and audio callbacks.
export class WhepViewer {
    // `cleanups` (optional): an array the viewer adds its close to, for the test's after().
    constructor(cleanups = null) {
        this.pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle',
            rtcpMuxPolicy: 'require' });
        this.pc.addTransceiver('audio', { direction: 'recvonly' });
        this.pc.addTransceiver('video', { direction: 'recvonly' });
        this.frames = [];
        this.audioCallbacks = 0;
        this.sinks = [];
        this.negotiationsNeeded = 0;
        this.pc.onnegotiationneeded = () => this.negotiationsNeeded++;
        this.pc.ontrack = ({ track }) => {
            if (track.kind === 'video') {
                const sink = new RTCVideoSink(track);
                sink.onframe = ({ frame }) => this.frames.push({ width: frame.width,
                    height: frame.height });
                this.sinks.push(sink);
            } else {
                const sink = new RTCAudioSink(track);
                sink.ondata = () => this.audioCallbacks++;
                this.sinks.push(sink);
            }
        };
        cleanups?.push(async () => this.close());
    }

    async offer() {
        await this.pc.setLocalDescription(await this.pc.createOffer());
        await waitUntil(() => this.pc.iceGatheringState === 'complete', 'ICE gathering to end');
        return this.pc.localDescription.sdp;
    }

    // POSTs the offer (with a Bearer `token` when given); on 201 applies the answer. Returns
    // the WHEP answer.
    async play(url, { token } = {}) {
        const answer = await whipPost(url, await this.offer(), { token });
        if (answer.status === 201) {
            await this.pc.setRemoteDescription({ type: 'answer', sdp: answer.body });
            this.location = answer.headers.get('location');
        }
        return answer;
    }

    count(size) {
        return this.frames.filter((f) => f.width === size.width && f.height === size.height).length;
    }

    async waitFrames(size, count, timeoutMs = 20000) {
        const from = this.count(size);
        await waitUntil(() => this.count(size) - from >= count, () => `${count} ${size.width}x` +
            `${size.height} frames (got ${this.count(size) - from}; seen ` +
            `${[...new Set(this.frames.map((f) => `${f.width}x${f.height}`))].join(', ')})`,
        timeoutMs);
    }

    async inboundVideo() {
        const report = await this.pc.getStats();
        return [...report.values()].filter((s) => s.type === 'inbound-rtp' && s.kind === 'video');
    }

    close() {
        for (const sink of this.sinks.splice(0)) sink.stop();
        if (this.pc.signalingState !== 'closed') this.pc.close();
    }
}
