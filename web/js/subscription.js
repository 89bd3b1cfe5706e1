// Receiving everyone else in a VideoRoom through one janus.js subscriber handle (Janus 1.x
// multistream): it joins with streams [{feed, mid}], the server offers them in "attached" and
// we answer with "start"; later publishers are added with "subscribe", removed streams with
// "unsubscribe", and every change of the subscription comes as an "updated" offer. A camera
// sent in three qualities, as three streams (simulcast) or as the layers of one (SVC: VP9 or
// AV1 with spatial layers), can be received in any of them: "configure" with "substream"
// 2/1/0 for that mid (of an SVC stream the server reads it as the spatial layer), or -1 for
// the server's automatic choice, and the server says which one arrives in "substream" events
// (simulcast) or "spatial_layer" events (SVC). A stream is SVC when the server says so: its
// "svc" object in the subscription's stream list, or a "spatial_layer" event.
import { attach } from './janus-client.js';

export const VIDEOROOM = 'janus.plugin.videoroom';
export const SCREEN = 'screen'; // the stream description that marks a shared screen

// Substream numbers of the simulcast layers, as the VideoRoom counts them.
const SUBSTREAMS = { auto: -1, high: 2, medium: 1, low: 0 };
const LAYER_NAMES = ['low', 'medium', 'high'];

export class Subscription {
    // `events`: onError(text). `view` is the room's RoomView.
    constructor(janus, room, view, events) {
        Object.assign(this, { janus, room, view, events });
        this.handle = null;
        this.privateId = null; // ours as a publisher, sent along when we join
        this.state = 'none'; // none | joining | ready
        this.pending = []; // streams to ask for once the handle is ready
        this.asked = new Set(); // "feed:mid" asked for
        this.streamsByMid = new Map(); // our mid -> stream, as the last attached/updated said
        this.feeds = new Map(); // publisher id -> {display, screens: Set of "feed:mid" shown}
        this.simulcast = new Set(); // "feed:mid" of the streams their publisher sends simulcast
        this.svc = new Set(); // our mids of the streams that arrive as SVC
        this.cameraOn = new Set(); // our mids whose camera track is on
        this.mediaCounts = new Map(); // our mid -> packets or frames at the last check
        this.mediaTimer = null;
        this.closed = false;
    }

    // A "publishers" list (from "joined" or a later event): new people get a tile, and their
    // streams are asked for; streams they disabled are dropped.
    addPublishers(list, myId) {
        const streams = [];
        for (const publisher of list) {
            if (publisher.id === myId) continue;
            const display = publisher.display || `Participant ${publisher.id}`;
            const feed = this.feeds.get(publisher.id) || { screens: new Set() };
            feed.display = display;
            this.feeds.set(publisher.id, feed);
            this.view.addPerson(publisher.id, display);
            this.view.setTalking(publisher.id, Boolean(publisher.talking));
            for (const stream of publisher.streams || []) {
                const key = `${publisher.id}:${stream.mid}`;
                if (stream.simulcast) this.simulcast.add(key);
                else this.simulcast.delete(key);
                if (stream.disabled) this.dropStream(publisher.id, stream.mid);
                if (stream.disabled || stream.type === 'data' || this.asked.has(key)) continue;
                this.asked.add(key);
                streams.push({ feed: publisher.id, mid: stream.mid });
            }
        }
        this.subscribe(streams);
    }

    // A publisher removed one of its streams (a screen it stopped sharing): stop receiving it.
    // The server may also say so with an "updated" offer; either way the tile goes, and the
    // stream is asked for again if it comes back.
    dropStream(id, mid) {
        const key = `${id}:${mid}`;
        if (!this.asked.delete(key)) return;
        this.feeds.get(id)?.screens.delete(key);
        this.view.setScreen(id, key, null);
        if (this.state === 'ready') {
            this.handle.send({ message: { request: 'unsubscribe', streams: [{ feed: id, mid }] } });
        }
    }

    // A publisher left or unpublished: its tiles go (the server drops its streams itself).
    dropPublisher(id) {
        this.feeds.delete(id);
        for (const key of [...this.asked]) {
            if (key.startsWith(`${id}:`)) this.asked.delete(key);
        }
        this.view.removePerson(id);
    }

    async subscribe(streams) {
        if (streams.length === 0) return;
        if (this.state !== 'ready') {
            this.pending.push(...streams);
            if (this.state === 'none') await this.start();
            return;
        }
        this.handle.send({ message: { request: 'subscribe', streams } });
    }

    async start() {
        this.state = 'joining';
        try {
            this.handle = await attach(this.janus, VIDEOROOM, {
                onmessage: (message, jsep) => this.onMessage(message, jsep),
                onremotetrack: (track, mid, on, metadata) =>
                    this.onRemoteTrack(track, mid, on, metadata),
            });
        } catch (error) {
            this.events.onError(error.message);
            return;
        }
        this.mediaTimer = setInterval(() => this.checkMedia(), 1000);
        const message = {
            request: 'join',
            ptype: 'subscriber',
            room: this.room,
            streams: this.pending,
        };
        if (this.privateId) message.private_id = this.privateId;
        this.pending = [];
        this.handle.send({ message });
    }

    onMessage(message, jsep) {
        if (this.closed) return;
        if (message.error_code || message.error) {
            this.events.onError(
                `The room refused a subscription: ${message.error} (error ${message.error_code}).`,
            );
        }
        if (message.streams) this.updateStreams(message.streams);
        if (message.substream !== undefined) this.showLayer(message.mid, message.substream);
        if (message.spatial_layer !== undefined) {
            this.markSvc(message.mid);
            this.showLayer(message.mid, message.spatial_layer);
        }
        if (jsep) this.answer(jsep);
        if (message.videoroom === 'attached') {
            this.state = 'ready';
            const streams = this.pending;
            this.pending = [];
            this.subscribe(streams);
        }
    }

    answer(jsep) {
        const data = /\r?\nm=application /.test(jsep.sdp);
        this.handle.createAnswer({
            jsep,
            tracks: data ? [{ type: 'data' }] : [],
            success: (answer) => {
                this.handle.send({ message: { request: 'start', room: this.room }, jsep: answer });
            },
            error: (error) => this.events.onError(`Cannot receive the others' media: ${error}`),
        });
    }

    // The subscription as the server describes it now: screens no longer in it lose their
    // tiles (cameras go with their person's tile).
    updateStreams(streams) {
        this.streamsByMid = new Map(streams.map((stream) => [stream.mid, stream]));
        for (const stream of streams) {
            if (stream.svc) this.markSvc(stream.mid);
        }
        const live = new Set(
            streams.filter((s) => s.active !== false).map((s) => `${s.feed_id}:${s.feed_mid}`),
        );
        for (const [id, feed] of this.feeds) {
            for (const key of feed.screens) {
                if (live.has(key)) continue;
                feed.screens.delete(key);
                this.view.setScreen(id, key, null);
            }
        }
    }

    onRemoteTrack(track, mid, on, metadata) {
        const stream = this.streamsByMid.get(mid);
        const reason = metadata?.reason;
        // A muted track is still there: checkMedia shows the person as muted.
        if (!stream || reason === 'mute' || reason === 'unmute') return;
        const id = stream.feed_id;
        if (track.kind === 'audio') {
            this.view.setAudio(id, on ? track : null);
        } else if (stream.feed_description === SCREEN) {
            const key = `${id}:${stream.feed_mid}`;
            if (on) this.feeds.get(id)?.screens.add(key);
            this.view.setScreen(id, key, on ? track : null);
        } else {
            this.view.setCamera(id, on ? track : null);
            if (on) this.cameraOn.add(mid);
            else this.cameraOn.delete(mid);
            this.offerQualityMenu(mid);
        }
    }

    // The server says the stream on our `mid` arrives as SVC.
    markSvc(mid) {
        if (!mid || this.svc.has(mid)) return;
        this.svc.add(mid);
        this.offerQualityMenu(mid);
    }

    // Puts the quality menu on the tile of the camera on our `mid` once it plays and is sent
    // in several qualities (simulcast or SVC).
    offerQualityMenu(mid) {
        const stream = this.streamsByMid.get(mid);
        if (!stream?.feed_id || !this.cameraOn.has(mid)) return;
        const simulcast =
            stream.simulcast || this.simulcast.has(`${stream.feed_id}:${stream.feed_mid}`);
        if (simulcast || this.svc.has(mid)) {
            this.view.showQualityMenu(stream.feed_id, (quality) => this.chooseQuality(mid, quality));
        }
    }

    // Asks for one quality of the camera received on our `mid` (or the automatic choice).
    chooseQuality(mid, quality) {
        const substream = SUBSTREAMS[quality];
        if (substream === undefined || this.state !== 'ready') return;
        this.handle.send({
            message: { request: 'configure', streams: [{ mid, substream }] },
            error: (error) => this.events.onError(`Cannot change the quality: ${error}`),
        });
    }

    // A "substream" or "spatial_layer" event: the layer now arriving on our `mid`.
    showLayer(mid, substream) {
        const stream = this.streamsByMid.get(mid);
        const name = LAYER_NAMES[substream];
        if (stream?.feed_id !== undefined && name) this.view.setLayer(stream.feed_id, name);
    }

    // Shows the others' microphones as muted and cameras as off while their media does not
    // arrive, whatever stopped it (their mute button, a camera unplugged, the network): the
    // receive statistics are read once a second, audio packets and decoded camera frames.
    async checkMedia() {
        const pc = this.handle?.webrtcStuff?.pc;
        if (!pc || this.checking) return;
        this.checking = true;
        try {
            for (const transceiver of pc.getTransceivers()) {
                const stream = this.streamsByMid.get(transceiver.mid);
                if (
                    !stream?.feed_id ||
                    stream.active === false ||
                    stream.feed_description === SCREEN
                )
                    continue;
                let count;
                for (const stats of (await transceiver.receiver.getStats()).values()) {
                    if (stats.type !== 'inbound-rtp') continue;
                    count = stream.type === 'audio' ? stats.packetsReceived : stats.framesDecoded;
                }
                if (count === undefined) continue; // nothing received yet
                const quiet = count === this.mediaCounts.get(transceiver.mid);
                this.mediaCounts.set(transceiver.mid, count);
                if (stream.type === 'audio') this.view.setAudioMuted(stream.feed_id, quiet);
                else this.view.setCameraOff(stream.feed_id, quiet);
            }
        } finally {
            this.checking = false;
        }
    }

    close() {
        this.closed = true;
        clearInterval(this.mediaTimer);
    }
}
