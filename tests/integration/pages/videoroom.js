// The VideoRoom client of videoroom.html, written the way a janus.js application is: join as a
// publisher, publish audio and video, subscribe to the publishers announced in "joined" and
// "publishers" (join as a subscriber the first time, "update" afterwards), answer every offer
// with "start", and show each remote video in a <video> element. window.report() tells the
// test what happened; window.state keeps the details.
/* global Janus */
'use strict';

const params = new URLSearchParams(location.search);
const server = params.get('server');
const room = Number(params.get('room'));
const display = params.get('name');

window.state = { errors: [], events: [], myId: null, privateId: null, published: false,
    subscribed: false, feeds: {}, midFeeds: {} };
const state = window.state;
let janus = null;
let publisher = null;
let subscriber = null;
let subscribing = false;
const waiting = []; // streams to subscribe to once the subscriber handle exists

function fail(error) {
    const text = typeof error === 'string' ? error : (error?.message || JSON.stringify(error));
    state.errors.push(text);
    Janus.error(text);
}

function publish() {
    publisher.createOffer({
        tracks: [
            { type: 'audio', capture: true, recv: false },
            { type: 'video', capture: { width: { ideal: 320 }, height: { ideal: 240 },
                frameRate: { ideal: 15 } }, recv: false },
        ],
        success: (jsep) => publisher.send({ message: { request: 'configure', audio: true,
            video: true }, jsep }),
        error: fail,
    });
}

function wanted(publishers) {
    const streams = [];
    for (const p of publishers) {
        state.feeds[p.id] = p.display;
        for (const s of p.streams || []) {
            if (!s.disabled && (s.type === 'audio' || s.type === 'video')) {
                streams.push({ feed: p.id, mid: s.mid });
            }
        }
    }
    return streams;
}

function subscribe(publishers) {
    const streams = wanted(publishers);
    if (streams.length === 0) return;
    if (subscriber) {
        subscriber.send({ message: { request: 'update', subscribe: streams } });
    } else if (subscribing) {
        waiting.push(...streams);
    } else {
        subscribing = true;
        attachSubscriber(streams);
    }
}

function showRemote(track, mid, on) {
    if (track.kind !== 'video') return;
    const id = `remote-${mid}`;
    document.getElementById(id)?.remove();
    if (!on) return;
    const video = document.createElement('video');
    video.id = id;
    video.dataset.mid = mid;
    video.autoplay = true;
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([track]);
    document.getElementById('remote').appendChild(video);
}

function attachSubscriber(streams) {
    janus.attach({
        plugin: 'janus.plugin.videoroom',
        opaqueId: `${display}-subscriber`,
        success: (handle) => {
            subscriber = handle;
            subscriber.send({ message: { request: 'join', ptype: 'subscriber', room, streams,
                private_id: state.privateId } });
        },
        error: fail,
        onmessage: (msg, jsep) => {
            state.events.push(`subscriber:${msg.videoroom}:${msg.error_code || ''}`);
            if (msg.error) fail(msg.error);
            if (msg.videoroom === 'attached' && waiting.length) {
                subscriber.send({ message: { request: 'update', subscribe: waiting.splice(0) } });
            }
            for (const s of msg.streams || []) {
                if (s.feed_id && s.active !== false) state.midFeeds[s.mid] = s.feed_id;
            }
            if (jsep) {
                subscriber.createAnswer({
                    jsep,
                    tracks: [{ type: 'data' }],
                    success: (answer) => subscriber.send({ message: { request: 'start', room },
                        jsep: answer }),
                    error: fail,
                });
            }
        },
        webrtcState: (on) => (state.subscribed = on),
        onremotetrack: showRemote,
    });
}

function attachPublisher() {
    janus.attach({
        plugin: 'janus.plugin.videoroom',
        opaqueId: display,
        success: (handle) => {
            publisher = handle;
            publisher.send({ message: { request: 'join', ptype: 'publisher', room, display } });
        },
        error: fail,
        onmessage: (msg, jsep) => {
            state.events.push(`publisher:${msg.videoroom}:${msg.error_code || ''}`);
            if (msg.error) fail(msg.error);
            if (msg.videoroom === 'joined') {
                state.myId = msg.id;
                state.privateId = msg.private_id;
                publish();
            }
            if (msg.publishers) subscribe(msg.publishers);
            if (jsep) publisher.handleRemoteJsep({ jsep });
        },
        webrtcState: (on) => (state.published = on),
    });
}

// What the test reads: each remote <video> with its size and the frames decoded on its mid.
window.report = async () => {
    const frames = {};
    const pc = subscriber?.webrtcStuff?.pc;
    if (pc) {
        for (const entry of (await pc.getStats()).values()) {
            if (entry.type === 'inbound-rtp' && entry.kind === 'video') {
                frames[entry.mid] = entry.framesDecoded;
            }
        }
    }
    const videos = [...document.querySelectorAll('#remote video')].map((video) => ({
        mid: video.dataset.mid,
        feed: state.midFeeds[video.dataset.mid],
        width: video.videoWidth,
        height: video.videoHeight,
        framesDecoded: frames[video.dataset.mid] || 0,
    }));
    return { myId: state.myId, published: state.published, subscribed: state.subscribed,
        errors: state.errors, events: state.events, videos };
};

Janus.init({
    debug: false,
    callback: () => {
        janus = new Janus({ server, iceServers: [], success: attachPublisher, error: fail });
    },
});
