// One person in a VideoRoom through janus.js (Janus 1.x API): a publisher handle joins
// (ptype "publisher"), publishes camera and microphone ("publish", later "configure" for a
// screen), and hears who else is there ("publishers", "unpublished", "leaving", "talking");
// receiving the others is subscription.js's work.
import { attach, describeMediaError } from './janus-client.js';
import { SCREEN, Subscription, VIDEOROOM } from './subscription.js';

// Words for the VideoRoom's error codes a person can meet.
export function describeRoomError(code, text, room) {
    switch (code) {
        case 426:
            return `Room ${room} does not exist.`;
        case 432:
            return 'The room is full: it already has as many people sending video as it allows.';
        case 433:
            return 'Wrong or missing PIN for this room.';
        case 425:
            return 'You are already in this room.';
        default:
            return `The room refused the request: ${text} (error ${code}).`;
    }
}

export class Room {
    // `events`: onError(text), onStatus(text), onLeft(text) (the room ended for us),
    // onScreenChange(sharing).
    // `simulcast`: send the camera in three qualities (janus.js's `simulcast: true`).
    constructor(janus, { room, display, pin, simulcast = false }, view, events) {
        Object.assign(this, { janus, room, display, pin, simulcast, view, events });
        this.myId = null;
        this.publisher = null;
        this.subscription = new Subscription(janus, room, view, events);
        this.cameraTracks = {}; // kind -> our captured microphone and camera tracks
        this.cameraMids = {}; // kind -> the mid they are sent on
        this.audioMuted = false;
        this.videoMuted = false;
        this.screenTrack = null;
        this.screenTransceiver = null; // where the screen is sent, once shared
        this.left = false;
    }

    async join() {
        this.publisher = await attach(this.janus, VIDEOROOM, {
            onmessage: (message, jsep) => this.onPublisherMessage(message, jsep),
            onlocaltrack: (track, on) => this.onLocalTrack(track, on),
            webrtcState: (on) => {
                if (!on) return;
                this.events.onStatus('You are in the room, sending your camera and microphone.');
            },
            iceState: (state) => {
                if (state !== 'failed') return;
                this.events.onError("No network path to the server's media ports (ICE failed).");
            },
        });
        const message = {
            request: 'join',
            ptype: 'publisher',
            room: this.room,
            display: this.display,
        };
        if (this.pin) message.pin = this.pin;
        this.publisher.send({ message });
    }

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
                this.events.onStatus('You are in the room, watching.');
                this.view.setCameraOff('local', true);
            } else {
                this.events.onError(text);
            }
        } else if (event === 'joined') {
            this.myId = message.id;
            this.subscription.privateId = message.private_id;
            this.view.addPerson('local', `${this.display} (you)`, { local: true });
            this.events.onStatus('Joined; starting your camera and microphone…');
            this.publishCamera();
            this.subscription.addPublishers(message.publishers || [], this.myId);
        } else if (event === 'event') {
            if (message.publishers) this.subscription.addPublishers(message.publishers, this.myId);
            // "ok" answers our own unpublish or leave.
            const gone = [message.unpublished, message.leaving].filter(
                (id) => id !== undefined && id !== 'ok' && id !== this.myId,
            );
            for (const id of gone) this.subscription.dropPublisher(id);
        } else if (event === 'talking' || event === 'stopped-talking') {
            const who = message.id === this.myId ? 'local' : message.id;
            this.view.setTalking(who, event === 'talking');
        } else if (event === 'destroyed') {
            this.events.onLeft('The room was closed.');
        }
    }

    // With simulcast, janus.js captures 1280x720 where the camera has it and sends three rid
    // layers, each half the size of the one above: 1280, 640 and 320 wide.
    publishCamera() {
        this.publisher.createOffer({
            tracks: [
                { type: 'audio', capture: true, recv: false },
                { type: 'video', capture: true, recv: false, simulcast: this.simulcast },
            ],
            success: (jsep) => {
                const transceivers = this.publisher.webrtcStuff.pc.getTransceivers();
                for (const kind of ['audio', 'video']) {
                    const track = this.cameraTracks[kind];
                    this.cameraMids[kind] = transceivers.find((t) => t.sender.track === track)?.mid;
                }
                this.publisher.send({ message: { request: 'publish' }, jsep });
            },
            error: (error) => {
                const text = describeMediaError(error);
                this.events.onError(`${text} You can still see and hear the others.`);
                this.events.onStatus('You are in the room, watching.');
                this.view.setCameraOff('local', true);
            },
        });
    }

    onLocalTrack(track, on) {
        if (track === this.screenTrack) return;
        if (on) this.cameraTracks[track.kind] = track;
        if (track.kind === 'video') this.view.setCamera('local', on ? track : null);
    }

    // Mutes or unmutes our microphone or camera. The sender stops sending at all (rather than
    // sending silence or black frames): no bandwidth is spent, and the others see the media
    // stop, which their page shows as muted (Subscription.checkMedia), whatever the server.
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
    // "screen" so the others show it in a tile of its own. The first share adds an m-line;
    // later ones reuse it (a stopped m-line's slot would be recycled with a new mid, which
    // not every server accepts).
    async shareScreen() {
        let stream;
        try {
            stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
        } catch (error) {
            // Cancelling the browser's picker is not an error.
            if (error?.name !== 'NotAllowedError') {
                this.events.onError(`Cannot share the screen: ${error.message}`);
            }
            return;
        }
        const track = stream.getVideoTracks()[0];
        this.screenTrack = track;
        track.addEventListener('ended', () => this.stopScreen()); // the browser's own "Stop" button
        this.view.setScreen('local', 'screen', track);
        this.events.onScreenChange(true);
        if (this.screenTransceiver) {
            await this.screenTransceiver.sender.replaceTrack(track);
            this.screenTransceiver.direction = 'sendonly';
            this.renegotiate(this.screenTransceiver.mid);
            return;
        }
        this.publisher.createOffer({
            tracks: [{ type: 'screen', capture: track, recv: false }],
            success: (jsep) => {
                const pc = this.publisher.webrtcStuff.pc;
                this.screenTransceiver = pc.getTransceivers().find((t) => t.sender.track === track);
                this.sendConfigure(jsep, this.screenTransceiver?.mid);
            },
            error: (error) => {
                this.events.onError(`Cannot share the screen: ${error}`);
                this.stopScreen();
            },
        });
    }

    // Stops sending the screen: its m-line goes inactive, so the server tells the others,
    // who drop the tile.
    async stopScreen() {
        const track = this.screenTrack;
        if (!track) return;
        this.screenTrack = null;
        track.stop();
        this.view.setScreen('local', 'screen', null);
        this.events.onScreenChange(false);
        const transceiver = this.screenTransceiver;
        if (!transceiver || this.left) return;
        await transceiver.sender.replaceTrack(null);
        transceiver.direction = 'inactive';
        this.renegotiate(null);
    }

    // A new offer for the publisher after a change of our own (screen on or off).
    renegotiate(screenMid) {
        this.publisher.createOffer({
            tracks: [],
            success: (jsep) => this.sendConfigure(jsep, screenMid),
            error: (error) => this.events.onError(`Cannot update your media: ${error}`),
        });
    }

    sendConfigure(jsep, screenMid) {
        const message = { request: 'configure' };
        if (screenMid) message.descriptions = [{ mid: screenMid, description: SCREEN }];
        this.publisher.send({ message, jsep });
    }

    // Leaves the room and ends the session; the others see us go.
    leave() {
        if (this.left) return;
        this.left = true;
        this.subscription.close();
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
