// VideoRoom helpers for the media tests: a janode VideoRoom handle that keeps every raw Janus
// message it gets (so tests check the exact event shapes), a libwebrtc subscriber that answers
// the server's offers and counts what it decodes per mid, and a participant that publishes an
// EchoPeer (tone + moving pattern) through janode. Everything stays on 127.0.0.1.
import assert from 'node:assert/strict';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import wrtc from '@roamhq/wrtc';
import { EchoPeer, waitUntil } from './peer.js';

export { connectJanode } from './echo.js';

const { RTCPeerConnection } = wrtc;
const { RTCAudioSink, RTCVideoSink } = wrtc.nonstandard;

export const VIDEOROOM = VideoRoomPlugin.id;
export { VideoRoomPlugin };

// A fresh room id in Janus's numeric id space (tests never reuse one).
let nextRoom = 1000 + Math.floor(Math.random() * 1e6) * 100;
export function newRoomId() {
    return nextRoom++;
}

// The VideoRoom's part of a Janus event: plugindata.data, or undefined.
export function pluginData(message) {
    return message?.plugindata?.plugin === VIDEOROOM ? message.plugindata.data : undefined;
}

// A janode VideoRoom handle plus the raw messages the server sent to it, in arrival order.
export class RoomHandle {
    constructor(handle) {
        this.handle = handle;
        this.messages = [];
        const original = handle._handleMessage.bind(handle);
        handle._handleMessage = (message) => {
            this.messages.push(message);
            return original(message);
        };
        this.peer = null; // the PeerConnection this handle negotiates, once there is one
        this.appliedTrickles = 0;
    }

    static async attach(session) {
        return new RoomHandle(await session.attach(VideoRoomPlugin));
    }

    // Plugin data of the events pushed without a transaction of ours (notifications), from
    // message index `from`, that satisfy `match`.
    notifications(match = () => true, from = 0) {
        return this.messages.slice(from)
            .filter((m) => m.janus === 'event' && !m.transaction && pluginData(m))
            .filter((m) => match(pluginData(m), m))
            .map(pluginData);
    }

    // Raw messages of a Janus type ("hangup", "webrtcup", "media", "trickle", ...).
    ofType(janus, from = 0) {
        return this.messages.slice(from).filter((m) => m.janus === janus);
    }

    // Waits for a notification matching `match` after index `from`; resolves with the whole
    // raw message (plugin data in .plugindata.data, offer in .jsep).
    async waitNotification(match, what, { from = 0, timeoutMs = 10000 } = {}) {
        const find = () => this.messages.slice(from).find((m) => m.janus === 'event' &&
            !m.transaction && pluginData(m) && match(pluginData(m), m));
        await waitUntil(find, () => `${what} (got ${this.describe(from)})`, timeoutMs);
        return find();
    }

    async waitType(janus, what, { from = 0, timeoutMs = 10000 } = {}) {
        await waitUntil(() => this.ofType(janus, from).length > 0,
            () => `${what} (got ${this.describe(from)})`, timeoutMs);
        return this.ofType(janus, from)[0];
    }

    // A short account of what arrived, for failure messages.
    describe(from = 0) {
        const list = this.messages.slice(from).map((m) => {
            const data = pluginData(m);
            const body = data ? JSON.stringify(data) : '';
            const tags = `${m.transaction ? '(tx)' : ''}${m.jsep ? `+${m.jsep.type}` : ''}`;
            return `${m.janus}${tags} ${body}`;
        });
        const text = list.join(' | ');
        return text.length > 3000 ? `${text.slice(0, 3000)}...` : text || 'nothing';
    }

    // Applies candidates the server trickles to `peer` (some servers send them instead of
    // putting them in the SDP); call once a remote description is set.
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

    watchTrickles(peer) {
        this.peer = peer;
        peer.timers.push(setInterval(() => this.applyTrickles(), 20));
    }
}

// Waits until a PeerConnection's ICE gathering is over and returns its local description.
async function gathered(pc) {
    await waitUntil(() => pc.iceGatheringState === 'complete', 'ICE gathering to end');
    return { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
}

// A receive-only libwebrtc peer for a VideoRoom subscription: answers the server's offers and
// keeps, per mid, the decoded video frames ({width, height, at}) and audio callbacks.
export class SubscriberPeer {
    constructor() {
        this.pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle',
            rtcpMuxPolicy: 'require' });
        this.timers = [];
        this.sinks = [];
        this.sunk = new WeakSet(); // tracks that already have a sink
        this.byMid = new Map(); // mid -> {kind, frames: [], audioCallbacks, audioPeak}
        this.channels = [];
        this.dataMessages = []; // {label, data, at}
        this.pc.ontrack = ({ track, transceiver }) => this.sinkTrack(track, transceiver);
        this.pc.ondatachannel = ({ channel }) => this.listen(channel);
    }

    // Records what arrives on `channel`: the server may relay on a channel it opens or on ours.
    listen(channel) {
        channel.binaryType = 'arraybuffer';
        this.channels.push(channel);
        channel.onmessage = ({ data }) => {
            this.dataMessages.push({ label: channel.label, data, at: Date.now() });
        };
    }

    stream(mid) {
        if (!this.byMid.has(mid)) {
            this.byMid.set(mid, { kind: null, frames: [], audioCallbacks: 0, audioPeak: 0 });
        }
        return this.byMid.get(mid);
    }

    // A transceiver made inactive and active again brings its old track back: one sink per
    // track object, counted under the mid the transceiver has when media arrives. (An m-line
    // rejected with port 0 and reused gets a new track, possibly with the same id.)
    sinkTrack(track, transceiver) {
        if (this.sunk.has(track)) return;
        this.sunk.add(track);
        const mid = () => transceiver?.mid ?? track.id;
        if (track.kind === 'video') {
            const sink = new RTCVideoSink(track);
            sink.onframe = ({ frame }) => {
                const stream = this.stream(mid());
                stream.kind = 'video';
                stream.frames.push({ width: frame.width, height: frame.height, at: Date.now() });
            };
            this.sinks.push(sink);
        } else if (track.kind === 'audio') {
            const sink = new RTCAudioSink(track);
            sink.ondata = ({ samples }) => {
                const stream = this.stream(mid());
                stream.kind = 'audio';
                stream.audioCallbacks++;
                for (let i = 0; i < samples.length; i += 7) {
                    stream.audioPeak = Math.max(stream.audioPeak, Math.abs(samples[i]));
                }
            };
            this.sinks.push(sink);
        }
    }

    // Applies the server's offer and returns our answer with every candidate in it. When the
    // offer has a data m-line we open a channel of our own first, as janus.js does (its
    // "JanusDataChannel"): Janus starts relaying data to a subscriber once a channel is open,
    // on a channel of its own labelled with the publisher's id; other servers may use ours.
    async answer(offer) {
        assert.equal(offer?.type, 'offer', `expected an SDP offer, got ${JSON.stringify(offer)}`);
        try {
            await this.pc.setRemoteDescription(offer);
        } catch (error) {
            // libwebrtc's errors print as {} in node's test report: give them words.
            throw new Error(`the subscriber refused the server's offer: ${error.message}\n` +
                offer.sdp);
        }
        if (/^m=application /m.test(offer.sdp) && !this.ownChannel) {
            this.ownChannel = this.pc.createDataChannel('JanusDataChannel', { ordered: true });
            this.listen(this.ownChannel);
        }
        await this.pc.setLocalDescription(await this.pc.createAnswer());
        return gathered(this.pc);
    }

    frameCount(mid, size, from = 0) {
        const frames = this.byMid.get(mid)?.frames ?? [];
        return frames.slice(from)
            .filter((f) => !size || (f.width === size.width && f.height === size.height)).length;
    }

    framesSoFar(mid) {
        return this.byMid.get(mid)?.frames.length ?? 0;
    }

    audioSoFar(mid) {
        return this.byMid.get(mid)?.audioCallbacks ?? 0;
    }

    // Waits for `count` frames of `size` on `mid` after frame index `from`.
    async waitFrames(mid, size, count, { from = 0, timeoutMs = 15000 } = {}) {
        await waitUntil(() => this.frameCount(mid, size, from) >= count, () => {
            const frames = this.byMid.get(mid)?.frames.slice(from) ?? [];
            const sizes = [...new Set(frames.map((f) => `${f.width}x${f.height}`))];
            return `${count} ${size.width}x${size.height} frames on mid ${mid} (got ` +
                `${this.frameCount(mid, size, from)}; sizes seen: ${sizes.join(', ') || 'none'}; ` +
                `mids with media: ${[...this.byMid.keys()].join(',') || 'none'})`;
        }, timeoutMs);
    }

    async waitAudio(mid, callbacks, { from = 0, timeoutMs = 15000 } = {}) {
        await waitUntil(() => this.audioSoFar(mid) - from >= callbacks,
            () => `${callbacks} audio callbacks on mid ${mid} (got ${this.audioSoFar(mid) - from})`,
            timeoutMs);
    }

    async waitConnected(timeoutMs = 15000) {
        await waitUntil(() => this.pc.connectionState === 'connected',
            () => `the subscriber to connect (ICE ${this.pc.iceConnectionState}, ` +
                `connection ${this.pc.connectionState})`, timeoutMs);
    }

    async stats(type) {
        const report = await this.pc.getStats();
        return [...report.values()].filter((entry) => entry.type === type);
    }

    close() {
        for (const timer of this.timers.splice(0)) clearInterval(timer);
        for (const sink of this.sinks.splice(0)) sink.stop();
        if (this.pc.signalingState !== 'closed') this.pc.close();
    }
}

// The m-lines of an SDP: [{kind, port, mid, direction, codecs: [names], msid}].
export function mediaSections(sdp) {
    return sdp.split(/\r?\nm=/).slice(1).map((text) => {
        const section = `m=${text}`;
        const [, kind, port] = /^m=(\w+) (\d+)/.exec(section);
        const codecs = [...section.matchAll(/^a=rtpmap:\d+ ([^/\s]+)/gm)].map((m) => m[1]);
        return {
            kind,
            port: Number(port),
            mid: /^a=mid:(\S+)/m.exec(section)?.[1],
            direction: /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(section)?.[1],
            codecs,
            msid: /^a=msid:(.*?)\r?$/m.exec(section)?.[1],
        };
    });
}

// One participant: a publisher handle with an EchoPeer, and optionally a subscriber handle with
// a SubscriberPeer, in one janode session. Call close() at the end.
export class Participant {
    constructor(session, { room, display, width = 160, height = 120, fps = 15, data = false,
        audio = true } = {}) {
        this.session = session;
        this.room = room;
        this.display = display;
        this.size = { width, height };
        this.fps = fps;
        this.data = data;
        this.audio = audio;
        this.publisher = null; // RoomHandle
        this.subscriber = null; // RoomHandle
        this.peer = null; // EchoPeer that publishes
        this.sub = null; // SubscriberPeer
        this.feed = null;
        this.privateId = null;
        this.joined = null; // plugin data of "joined"
        this.configured = null; // plugin data of the "configured" event that answered publish
        this.streams = null; // the publisher's streams as the server listed them
    }

    // Joins as a publisher (no media yet); returns the "joined" plugin data.
    async join(extra = {}) {
        this.publisher = await RoomHandle.attach(this.session);
        const reply = await this.publisher.handle.joinPublisher({ room: this.room,
            display: this.display, ...extra });
        const raw = this.publisher.messages.find((m) => pluginData(m)?.videoroom === 'joined');
        assert.ok(raw, `no "joined" event: ${this.publisher.describe()}`);
        this.joined = pluginData(raw);
        this.feed = reply.feed;
        this.privateId = reply.private_id;
        return this.joined;
    }

    // Publishes audio, video (and data) with an offer carrying every candidate; resolves with
    // the plugin data of the "configured" reply once the answer is applied.
    async publish() {
        this.peer = new EchoPeer({ ...this.size, fps: this.fps, dataChannel: this.data,
            audio: this.audio });
        this.publisher.watchTrickles(this.peer);
        const offer = await this.peer.completeOffer();
        const reply = await this.publisher.handle.publish({ audio: this.audio, video: true,
            data: this.data, jsep: offer });
        assert.equal(reply.configured, 'ok');
        // janode passes on only part of the event: keep the server's own words too.
        const raw = this.publisher.messages.findLast((m) => pluginData(m)?.configured === 'ok');
        this.configured = pluginData(raw);
        await this.peer.applyAnswer(reply.jsep);
        return reply;
    }

    async joinAndPublish(extra = {}) {
        await this.join(extra);
        return this.publish();
    }

    // Subscribes, on a new handle, to `streams` ([{feed, mid}]); answers the server's offer
    // and sends "start". Returns {attached, offer, started}.
    async subscribe(streams, extra = {}) {
        this.subscriber = await RoomHandle.attach(this.session);
        this.sub = new SubscriberPeer();
        this.subscriber.watchTrickles(this.sub);
        const attached = await this.subscriber.handle.joinSubscriber({ room: this.room, streams,
            private_id: this.privateId ?? undefined, ...extra });
        assert.ok(attached.jsep, `"attached" came without an offer: ${JSON.stringify(attached)}`);
        const answer = await this.sub.answer(attached.jsep);
        const started = await this.subscriber.handle.start({ jsep: answer });
        return { attached, offer: attached.jsep, started };
    }

    // Answers an offer the server sent the subscriber (an "updated" event, or the reply to an
    // "update" request) with "start"; resolves with the "started" plugin data.
    async answerUpdate(message) {
        assert.equal(message?.jsep?.type, 'offer', `no offer in ${JSON.stringify(message)}`);
        const answer = await this.sub.answer(message.jsep);
        return this.subscriber.handle.start({ jsep: answer });
    }

    close() {
        this.peer?.close();
        this.sub?.close();
    }
}

// Where each subscribed source landed in a subscriber's stream list ("attached", "updated",
// "switched"): a Map from `${feed_id}/${type}` to the subscriber's mid, active streams only.
export function midsByFeed(streams) {
    const map = new Map();
    for (const s of streams ?? []) {
        if (s.active !== false && s.feed_id !== undefined) map.set(`${s.feed_id}/${s.type}`, s.mid);
    }
    return map;
}

// The server's stream list of feed `feed` in a "publishers" list, or undefined.
export function streamsOf(publishers, feed) {
    return publishers?.find((p) => p.id === feed)?.streams;
}

// Subscription entries for the audio and video (and data when asked) of a publisher's streams.
export function subscriptionOf(feed, streams, { data = false } = {}) {
    return streams.filter((s) => s.type !== 'data' || data)
        .filter((s) => ['audio', 'video', 'data'].includes(s.type))
        .map((s) => ({ feed, mid: s.mid }));
}

