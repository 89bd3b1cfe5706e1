// One person in a VideoRoom through janus.js, with the Janus 1.x multistream API:
// - a publisher handle joins (ptype "publisher"), publishes camera and microphone (and later a
//   screen), and hears who else is there ("publishers", "unpublished", "leaving", "talking");
// - one subscriber handle receives every other publisher's streams: it joins with
//   streams [{feed, mid}], the server offers them in "attached", we answer with "start";
//   later publishers are added with "subscribe", and every change comes as an "updated" offer.
import { attach, describeMediaError } from './janus-client.js';

const VIDEOROOM = 'janus.plugin.videoroom';
const SCREEN = 'screen'; // the stream description that marks a shared screen

// Words for the VideoRoom's error codes a person can meet.
export function describeRoomError(code, text, room) {
    switch (code) {
    case 426: return `Room ${room} does not exist.`;
    case 432: return 'The room is full: it already has as many people sending video as it allows.';
    case 433: return 'Wrong or missing PIN for this room.';
    case 425: return 'You are already in this room.';
    default: return `The room refused the request: ${text} (error ${code}).`;
    }
}

export class Room {
    // `events`: onError(text), onStatus(text), onLeft(text) (the room ended for us),
    // onScreenChange(sharing).
    constructor(janus, { room, display, pin }, view, events) {
        Object.assign(this, { janus, room, display, pin, view, events });
        this.myId = null;
        this.privateId = null;
        this.publisher = null;
        this.subscriber = null;
        this.subscriberState = 'none'; // none | joining | ready
        this.pending = []; // streams to subscribe to once the subscriber is ready
        this.subscribed = new Set(); // "feed:mid" asked for
        this.streamsByMid = new Map(); // subscriber mid -> stream of the last attached/updated
        this.feeds = new Map(); // publisher id -> {display, screens: Set of "feed:mid" shown}
        this.cameraTracks = {}; // kind -> our captured microphone and camera tracks
        this.cameraMids = {}; // kind -> the mid they are sent on
        this.audioMuted = false;
        this.videoMuted = false;
        this.screenTrack = null;
        this.mediaCounts = new Map(); // subscriber mid -> packets or frames at the last check
        this.mediaTimer = null;
        this.left = false;
    }

    async join() {
        this.publisher = await attach(this.janus, VIDEOROOM, {
            onmessage: (message, jsep) => this.onPublisherMessage(message, jsep),
            onlocaltrack: (track, on) => this.onLocalTrack(track, on),
            webrtcState: (on) => {
                if (on) this.events.onStatus('You are in the room, sending your camera and microphone.');
            },
            iceState: (state) => {
                if (state === 'failed') this.events.onError('No network path to the server\'s media ports (ICE failed).');
            },
        });
        const message = { request: 'join', ptype: 'publisher', room: this.room, display: this.display };
        if (this.pin) message.pin = this.pin;
        this.publisher.send({ message });
    }

    // ---- publisher side ----

    onPublisherMessage(message, jsep) {
        if (this.left) return;
        if (jsep) this.publisher.handleRemoteJsep({ jsep });
        const event = message.videoroom;
        if (message.error_code || message.error) {
            const text = describeRoomError(message.error_code, message.error, this.room);
            if (!this.myId) {
                this.events.onError(text);
                this.events.onLeft('Could not join the room.');
            } else if (message.error_code === 432) {
                this.events.onError(`${text} You can still see and hear the others.`);
                this.view.setCameraOff('local', true);
            } else {
                this.events.onError(text);
            }
        } else if (event === 'joined') {
            this.myId = message.id;
            this.privateId = message.private_id;
            this.view.addPerson('local', `${this.display} (you)`, { local: true });
            this.events.onStatus('Joined; starting your camera and microphone…');
            this.publishCamera();
            this.addPublishers(message.publishers || []);
        } else if (event === 'event') {
            if (message.publishers) this.addPublishers(message.publishers);
            this.dropPublisher(message.unpublished);
            this.dropPublisher(message.leaving);
        } else if (event === 'talking' || event === 'stopped-talking') {
            this.view.setTalking(message.id === this.myId ? 'local' : message.id, event === 'talking');
        } else if (event === 'destroyed') {
            this.events.onLeft('The room was closed.');
        }
    }

    publishCamera() {
        this.publisher.createOffer({
            tracks: [
                { type: 'audio', capture: true, recv: false },
                { type: 'video', capture: true, recv: false },
            ],
            success: (jsep) => {
                for (const kind of ['audio', 'video']) {
                    this.cameraMids[kind] = this.senderMid((sender) => sender.track === this.cameraTracks[kind]);
                }
                this.publisher.send({ message: { request: 'publish' }, jsep });
            },
            error: (error) => {
                this.events.onError(`${describeMediaError(error)} You can still see and hear the others.`);
                this.view.setCameraOff('local', true);
            },
        });
    }

    onLocalTrack(track, on) {
        if (track === this.screenTrack) return;
        if (on) this.cameraTracks[track.kind] = track;
        if (track.kind === 'video') this.view.setCamera('local', on ? track : null);
    }

    // The mid our PeerConnection gave to the sender of `kind` (or of `track`).
    senderMid(match) {
        const pc = this.publisher?.webrtcStuff?.pc;
        const transceiver = pc?.getTransceivers().find((t) => !t.stopped && match(t.sender));
        return transceiver?.mid ?? null;
    }

    // Mutes or unmutes our microphone or camera. The sender stops sending at all (rather than
    // sending silence or black frames), so the others' browsers see the track go quiet
    // (janus.js reports it muted) whatever the server does, and no bandwidth is spent.
    setMuted(kind, muted) {
        const track = this.cameraTracks[kind];
        const pc = this.publisher?.webrtcStuff?.pc;
        const transceiver = pc?.getTransceivers().find((t) => t.mid === this.cameraMids[kind]);
        if (!track || !transceiver) return;
        track.enabled = !muted;
        transceiver.sender.replaceTrack(muted ? null : track);
        if (kind === 'audio') {
            this.audioMuted = muted;
            this.view.setAudioMuted('local', muted);
        } else {
            this.videoMuted = muted;
            this.view.setCameraOff('local', muted);
        }
    }

    // Shares a screen (or window) as a second video stream of our publisher, described as
    // "screen" so the others show it in a tile of its own.
    async shareScreen() {
        let stream;
        try {
            stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
        } catch (error) {
            // Cancelling the browser's picker is not an error.
            if (error?.name !== 'NotAllowedError') this.events.onError(`Cannot share the screen: ${error.message}`);
            return;
        }
        const track = stream.getVideoTracks()[0];
        this.screenTrack = track;
        track.addEventListener('ended', () => this.stopScreen()); // the browser's own "Stop" button
        this.view.setScreen('local', 'screen', track);
        this.events.onScreenChange(true);
        this.publisher.createOffer({
            tracks: [{ type: 'screen', capture: track, recv: false }],
            success: (jsep) => {
                const mid = this.senderMid((sender) => sender.track === track);
                const message = { request: 'configure', descriptions: [{ mid, description: SCREEN }] };
                this.publisher.send({ message, jsep });
            },
            error: (error) => {
                this.events.onError(`Cannot share the screen: ${error}`);
                this.stopScreen();
            },
        });
    }

    // Stops the screen: its transceiver stops, so the next offer removes the m-line and the
    // server tells the others (they receive an "updated" offer without it).
    stopScreen() {
        const track = this.screenTrack;
        if (!track) return;
        this.screenTrack = null;
        track.stop();
        this.view.setScreen('local', 'screen', null);
        this.events.onScreenChange(false);
        const pc = this.publisher?.webrtcStuff?.pc;
        const transceiver = pc?.getTransceivers().find((t) => t.sender.track === track);
        if (!transceiver || this.left) return;
        transceiver.stop();
        this.publisher.createOffer({
            tracks: [],
            success: (jsep) => this.publisher.send({ message: { request: 'configure' }, jsep }),
            error: (error) => this.events.onError(`Cannot stop sharing the screen: ${error}`),
        });
    }

    // ---- the others ----

    addPublishers(list) {
        const streams = [];
        for (const publisher of list) {
            if (publisher.id === this.myId) continue;
            const display = publisher.display || `Participant ${publisher.id}`;
            const feed = this.feeds.get(publisher.id) || { screens: new Set() };
            feed.display = display;
            this.feeds.set(publisher.id, feed);
            this.view.addPerson(publisher.id, display);
            this.view.setTalking(publisher.id, Boolean(publisher.talking));
            for (const stream of publisher.streams || []) {
                const key = `${publisher.id}:${stream.mid}`;
                if (stream.disabled) this.dropStream(publisher.id, stream.mid);
                if (stream.disabled || stream.type === 'data' || this.subscribed.has(key)) continue;
                this.subscribed.add(key);
                streams.push({ feed: publisher.id, mid: stream.mid });
            }
        }
        this.subscribe(streams);
    }

    // A publisher removed one of its streams (a screen it stopped sharing): stop receiving it.
    // The server may also say so itself with an "updated" offer; either way the tile goes,
    // and the stream is subscribed again if it comes back on the same mid.
    dropStream(id, mid) {
        const key = `${id}:${mid}`;
        if (!this.subscribed.delete(key)) return;
        this.feeds.get(id)?.screens.delete(key);
        this.view.setScreen(id, key, null);
        if (this.subscriberState === 'ready') {
            this.subscriber.send({ message: { request: 'unsubscribe', streams: [{ feed: id, mid }] } });
        }
    }

    dropPublisher(id) {
        if (id === undefined || id === 'ok' || id === this.myId) return;
        this.feeds.delete(id);
        for (const key of [...this.subscribed]) {
            if (key.startsWith(`${id}:`)) this.subscribed.delete(key);
        }
        this.view.removePerson(id);
    }

    async subscribe(streams) {
        if (streams.length === 0) return;
        if (this.subscriberState !== 'ready') {
            this.pending.push(...streams);
            if (this.subscriberState === 'none') await this.startSubscriber();
            return;
        }
        this.subscriber.send({ message: { request: 'subscribe', streams } });
    }

    async startSubscriber() {
        this.subscriberState = 'joining';
        try {
            this.subscriber = await attach(this.janus, VIDEOROOM, {
                onmessage: (message, jsep) => this.onSubscriberMessage(message, jsep),
                onremotetrack: (track, mid, on, metadata) => this.onRemoteTrack(track, mid, on, metadata),
            });
        } catch (error) {
            this.events.onError(error.message);
            return;
        }
        this.mediaTimer = setInterval(() => this.checkMedia(), 1000);
        const streams = this.pending;
        this.pending = [];
        const message = { request: 'join', ptype: 'subscriber', room: this.room, streams };
        if (this.privateId) message.private_id = this.privateId;
        this.subscriber.send({ message });
    }

    onSubscriberMessage(message, jsep) {
        if (this.left) return;
        if (message.error_code || message.error) {
            this.events.onError(describeRoomError(message.error_code, message.error, this.room));
        }
        if (message.streams) this.updateStreams(message.streams);
        if (jsep) this.answer(jsep);
        if (message.videoroom === 'attached') {
            this.subscriberState = 'ready';
            const streams = this.pending;
            this.pending = [];
            this.subscribe(streams);
        }
    }

    answer(jsep) {
        const data = /\r?\nm=application /.test(jsep.sdp);
        this.subscriber.createAnswer({
            jsep,
            tracks: data ? [{ type: 'data' }] : [],
            success: (answer) => this.subscriber.send({ message: { request: 'start', room: this.room }, jsep: answer }),
            error: (error) => this.events.onError(`Cannot receive the others' media: ${error}`),
        });
    }

    // The subscription as the server describes it now: streams that went away lose their
    // screen tiles (cameras go with their person's tile).
    updateStreams(streams) {
        this.streamsByMid = new Map(streams.map((stream) => [stream.mid, stream]));
        for (const [id, feed] of this.feeds) {
            for (const key of feed.screens) {
                const alive = streams.some((s) => s.active !== false && `${s.feed_id}:${s.feed_mid}` === key);
                if (!alive) {
                    feed.screens.delete(key);
                    this.view.setScreen(id, key, null);
                }
            }
        }
    }

    onRemoteTrack(track, mid, on, metadata) {
        const stream = this.streamsByMid.get(mid);
        if (!stream) return;
        const id = stream.feed_id;
        const reason = metadata?.reason;
        // A muted track is still there (checkMedia shows the person as muted).
        if (reason === 'mute' || reason === 'unmute') return;
        if (track.kind === 'audio') {
            this.view.setAudio(id, on ? track : null);
        } else if (stream.feed_description === SCREEN) {
            const key = `${id}:${stream.feed_mid}`;
            if (on) this.feeds.get(id)?.screens.add(key);
            this.view.setScreen(id, key, on ? track : null);
        } else {
            this.view.setCamera(id, on ? track : null);
        }
    }

    // Shows the others' microphones as muted and cameras as off while their media does not
    // arrive, whatever stopped it (their mute button, a camera unplugged, the network): the
    // receive statistics are read once a second, audio packets and decoded camera frames.
    async checkMedia() {
        const pc = this.subscriber?.webrtcStuff?.pc;
        if (!pc || this.checkingMedia) return;
        this.checkingMedia = true;
        try {
            for (const transceiver of pc.getTransceivers()) {
                const stream = this.streamsByMid.get(transceiver.mid);
                if (!stream?.feed_id || stream.active === false || stream.feed_description === SCREEN) continue;
                let count = null;
                for (const stats of (await transceiver.receiver.getStats()).values()) {
                    if (stats.type !== 'inbound-rtp') continue;
                    count = stream.type === 'audio' ? stats.packetsReceived : stats.framesDecoded;
                }
                if (count === null || count === undefined) continue; // nothing received yet
                const quiet = count === this.mediaCounts.get(transceiver.mid);
                this.mediaCounts.set(transceiver.mid, count);
                if (stream.type === 'audio') this.view.setAudioMuted(stream.feed_id, quiet);
                else this.view.setCameraOff(stream.feed_id, quiet);
            }
        } finally {
            this.checkingMedia = false;
        }
    }

    // Leaves the room and ends the session; the others see us go.
    leave() {
        if (this.left) return;
        this.left = true;
        clearInterval(this.mediaTimer);
        this.screenTrack?.stop();
        const end = () => this.janus.destroy({ notifyDestroyed: false });
        if (this.myId) {
            this.publisher.send({ message: { request: 'leave' }, success: end, error: end });
        } else {
            end();
        }
        this.view.removeAll();
    }
}
