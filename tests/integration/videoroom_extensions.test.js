// RTP header extensions forwarded per subscriber by janus.plugin.videoroom, seen by Chromium:
// a libwebrtc publisher's (@roamhq/wrtc through janode) tone reaches a multistream subscriber
// and a WHEP viewer, both PeerConnections in headless Chromium, whose
// RTCRtpReceiver.getSynchronizationSources() reports an audioLevel only from the
// ssrc-audio-level extension of the packets received: the level is there only if Prism
// forwarded the element under the id the subscriber negotiated. The subscriber's offer lists the
// extensions with Prism's ids, and the talking events, read from the publisher's packets, keep
// coming.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { browserMissing, forwardConsole, launchBrowser } from './lib/browser.js';
import { waitUntil } from './lib/peer.js';
import { startServer } from './lib/server.js';
import { connectJanode, newRoomId, Participant, pluginData, RoomHandle,
    subscriptionOf } from './lib/videoroom.js';
import { whipPost } from './lib/whip.js';

// The EchoPeer's tone (amplitude 8000 of 32767) is -15 dBov: a linear level of 10^(-15/20).
const TONE_LEVEL = 10 ** (-15 / 20);
const skip = browserMissing() || false;

let server;
let connection;
let admin;
let browser;
const cleanups = [];

before(async () => {
    server = await startServer();
    connection = await connectJanode(server);
    admin = await RoomHandle.attach(await connection.create());
    if (!skip) browser = await launchBrowser();
});

after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await browser?.close();
    await connection?.close().catch(() => {});
    await server?.stop();
});

async function createRoom(options = {}) {
    const room = newRoomId();
    const created = await admin.handle.create({ room, ...options });
    assert.equal(created.room, room);
    return room;
}

// A janode publisher (libwebrtc EchoPeer: a tone and a 160x112 pattern) whose media is up.
async function publisher(room, display) {
    const p = new Participant(await connection.create(), { room, display, width: 160,
        height: 112, fps: 15 });
    cleanups.push(async () => p.close());
    await p.joinAndPublish();
    p.streams = p.configured.streams;
    await p.peer.waitConnected();
    await p.publisher.waitType('webrtcup', `webrtcup for ${display}`);
    return p;
}

// The a=extmap lines of the m-line with this mid: Map uri -> id.
function extmapsOf(sdp, mid) {
    const section = sdp.split(/\r?\nm=/).slice(1)
        .find((s) => new RegExp(`^a=mid:${mid}\\r?$`, 'm').test(s));
    assert.ok(section, `no m-line with mid ${mid} in\n${sdp}`);
    return new Map([...section.matchAll(/^a=extmap:(\d+)(?:\/\w+)? (\S+)\r?$/gm)]
        .map((m) => [m[2], Number(m[1])]));
}

// A Chromium page holding one receive-only PeerConnection (window.pc), whose audio plays in an
// <audio> element so that Chromium renders it (and updates its synchronization sources), and
// whose video plays in window.video.
async function chromiumPage() {
    const page = await (await browser.newContext()).newPage();
    forwardConsole(page, 'chromium');
    await page.evaluate(() => {
        window.pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
        window.pc.ontrack = ({ track }) => {
            const element = document.createElement(track.kind);
            element.muted = true;
            element.srcObject = new MediaStream([track]);
            element.play().catch(() => {});
            if (track.kind === 'video') window.video = element;
        };
    });
    return page;
}

// The size at which the page's <video> shows the stream, once it shows it.
async function waitVideoSize(page, what) {
    let size = null;
    await waitUntil(async () => {
        size = await page.evaluate(() => (window.video?.videoWidth
            ? { width: window.video.videoWidth, height: window.video.videoHeight } : null));
        return size;
    }, `${what}: a decoded frame in the <video>`, 15000);
    return size;
}

// Waits for ICE gathering and returns the page's local description.
const gatheredSdp = () => new Promise((resolve) => {
    const done = () => resolve(window.pc.localDescription.sdp);
    if (window.pc.iceGatheringState === 'complete') done();
    else window.pc.onicegatheringstatechange = () => {
        if (window.pc.iceGatheringState === 'complete') done();
    };
});

// The audio level the page's audio receiver reports, once it reports one.
async function waitAudioLevel(page, what) {
    let seen = [];
    await waitUntil(async () => {
        seen = await page.evaluate(() => {
            const receiver = window.pc.getReceivers().find((r) => r.track.kind === 'audio');
            return receiver ? receiver.getSynchronizationSources() : [];
        });
        return seen.some((s) => typeof s.audioLevel === 'number');
    }, () => `${what}: an audio level in getSynchronizationSources() (got ` +
        `${JSON.stringify(seen)})`, 15000);
    return seen.find((s) => typeof s.audioLevel === 'number').audioLevel;
}

test('a subscriber is offered the publisher\'s extensions and hears its audio level',
    { skip }, async () => {
        const room = await createRoom({ talking_events: true, talking_packets_threshold: 25,
            talking_level_threshold: 60 });
        const alice = await publisher(room, 'alice');
        const bob = new Participant(await connection.create(), { room, display: 'bob' });
        cleanups.push(async () => bob.close());
        bob.subscriber = await RoomHandle.attach(bob.session);
        const attached = await bob.subscriber.handle.joinSubscriber({ room,
            streams: subscriptionOf(alice.feed, alice.streams) });
        const offer = attached.jsep;
        const audio = attached.streams.find((s) => s.type === 'audio');
        const video = attached.streams.find((s) => s.type === 'video');
        const audioExt = extmapsOf(offer.sdp, audio.mid);
        assert.equal(audioExt.get('urn:ietf:params:rtp-hdrext:ssrc-audio-level'), 1, offer.sdp);
        assert.equal(audioExt.get('urn:ietf:params:rtp-hdrext:sdes:mid'), 4);
        assert.equal(audioExt.get('http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'), 2);
        assert.ok(!audioExt.has('urn:3gpp:video-orientation'), 'orientation is for video');
        // Our own transport-wide sequence per subscriber, not the publisher's.
        assert.equal(audioExt.get(
            'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'), 3);
        const videoExt = extmapsOf(offer.sdp, video.mid);
        assert.equal(videoExt.get('urn:3gpp:video-orientation'), 13, offer.sdp);
        assert.ok(!videoExt.has('urn:ietf:params:rtp-hdrext:ssrc-audio-level'));

        const page = await chromiumPage();
        const answer = await page.evaluate(async ({ sdp, gathered }) => {
            await window.pc.setRemoteDescription({ type: 'offer', sdp });
            await window.pc.setLocalDescription(await window.pc.createAnswer());
            return (0, eval)(`(${gathered})`)();
        }, { sdp: offer.sdp, gathered: gatheredSdp.toString() });
        assert.ok(/a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level/.test(answer), answer);
        await bob.subscriber.handle.start({ jsep: { type: 'answer', sdp: answer } });
        for (const { candidate } of bob.subscriber.ofType('trickle')) {
            if (candidate && !candidate.completed) {
                await page.evaluate((c) => window.pc.addIceCandidate(c).catch(() => {}), candidate);
            }
        }
        const level = await waitAudioLevel(page, 'the subscriber');
        assert.ok(Math.abs(level - TONE_LEVEL) < 0.05,
            `audio level ${level}, the tone's is ${TONE_LEVEL.toFixed(3)}`);
        assert.deepEqual(await waitVideoSize(page, 'the subscriber'), { width: 160, height: 112 });

        // The talking events still come from the publisher's own packets.
        await waitUntil(() => alice.publisher.messages.some((m) => {
            const d = pluginData(m);
            return d?.videoroom === 'talking' && d.id === alice.feed;
        }), 'a talking event for alice', 15000);
    });

test('a WHEP viewer negotiates the extensions in its own offer and hears the level', { skip },
    async () => {
        const room = await createRoom();
        await publisher(room, 'carol');
        const page = await chromiumPage();
        const offer = await page.evaluate(async (gathered) => {
            window.pc.addTransceiver('audio', { direction: 'recvonly' });
            window.pc.addTransceiver('video', { direction: 'recvonly' });
            await window.pc.setLocalDescription(await window.pc.createOffer());
            return (0, eval)(`(${gathered})`)();
        }, gatheredSdp.toString());
        const answer = await whipPost(`${server.origin}/whep/endpoint/${room}`, offer);
        assert.equal(answer.status, 201, answer.body);
        const levelUri = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
        const offered = extmapsOf(offer, '0');
        assert.equal(extmapsOf(answer.body, '0').get(levelUri), offered.get(levelUri),
            answer.body); // the viewer's own id
        await page.evaluate((sdp) => window.pc.setRemoteDescription({ type: 'answer', sdp }),
            answer.body);
        const level = await waitAudioLevel(page, 'the WHEP viewer');
        assert.ok(Math.abs(level - TONE_LEVEL) < 0.05,
            `audio level ${level}, the tone's is ${TONE_LEVEL.toFixed(3)}`);
    });
