// WHEP playback from a VideoRoom: a libwebrtc viewer (@roamhq/wrtc) with Node's fetch sends a
// recvonly offer to /whep/endpoint/{room}, sets the answer and decodes the room's publisher (a
// janode/libwebrtc EchoPeer). When that publisher leaves and another publishes, the viewer gets
// the new one's frames on the same m-lines, without renegotiation, with sequence numbers that
// continue (no burst of losses). Also: 409 with no publisher, 503 in a room at its
// max_subscribers, ?feed=, PATCH and DELETE, and
// the demo page web/whep.html playing a room in Debian's headless Chromium.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { browserMissing, forwardConsole, launchBrowser, waitFor } from './lib/browser.js';
import { waitUntil } from './lib/peer.js';
import { startServer } from './lib/server.js';
import { connectJanode, newRoomId, Participant, RoomHandle } from './lib/videoroom.js';
import { whipDelete, whipError, whipPatch, whipPost } from './lib/whip.js';
import { WhepViewer } from './lib/whep_viewer.js';

const FIRST = { width: 160, height: 112 };
const SECOND = { width: 176, height: 144 };

let server;
let connection;
let admin;
const cleanups = [];

before(async () => {
    server = await startServer();
    connection = await connectJanode(server);
    admin = await RoomHandle.attach(await connection.create());
});

after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await connection?.close().catch(() => {});
    await server?.stop();
});

async function createRoom(options = {}) {
    const room = newRoomId();
    const created = await admin.handle.create({ room, ...options });
    assert.equal(created.room, room);
    return room;
}

// A janode publisher whose media is up (the VideoRoom hands out publishers once it is).
async function publisher(room, display, size) {
    const participant = new Participant(await connection.create(), { room, display, ...size,
        fps: 15 });
    cleanups.push(async () => participant.close());
    await participant.joinAndPublish();
    await participant.peer.waitConnected();
    return participant;
}

const endpoint = (room, query = '') => `${server.origin}/whep/endpoint/${room}${query}`;

test('a WHEP viewer gets 409 while nobody publishes, then decodes the room publisher', async () => {
    const room = await createRoom();
    const early = new WhepViewer(cleanups);
    const refused = await early.play(endpoint(room));
    assert.equal(refused.status, 409, refused.body);
    assert.match(whipError(refused).error, /no publisher/i);
    early.close();

    await publisher(room, 'first', FIRST);
    const viewer = new WhepViewer(cleanups);
    const answer = await viewer.play(endpoint(room));
    assert.equal(answer.status, 201, answer.body);
    assert.match(viewer.location, /^\/whep\/resource\/\d+$/);
    assert.ok(answer.headers.get('etag'));
    const kinds = [...answer.body.matchAll(/^m=(\w+) /gm)].map((m) => m[1]);
    assert.deepEqual(kinds, ['audio', 'video']);
    assert.equal([...answer.body.matchAll(/^a=sendonly/gm)].length, 2);
    await viewer.waitFrames(FIRST, 20);
    await waitUntil(() => viewer.audioCallbacks >= 50, 'audio at the viewer');

    const resource = `${server.origin}${viewer.location}`;
    assert.equal((await whipPatch(resource, 'a=end-of-candidates\r\n')).status, 204);
    // A WHEP resource is not a WHIP one.
    assert.equal((await whipDelete(`${server.origin}${viewer.location.replace('whep', 'whip')}`))
        .status, 404);
    assert.equal((await whipDelete(resource)).status, 200);
    assert.equal((await whipDelete(resource)).status, 404);
});

test('?feed= picks the publisher; an unknown feed is 404', async () => {
    const room = await createRoom();
    await publisher(room, 'first', FIRST);
    const second = await publisher(room, 'second', SECOND);
    const viewer = new WhepViewer(cleanups);
    const answer = await viewer.play(endpoint(room, `?feed=${second.feed}`));
    assert.equal(answer.status, 201, answer.body);
    await viewer.waitFrames(SECOND, 15);
    assert.equal(viewer.count(FIRST), 0);
    const unknown = await new WhepViewer(cleanups).play(endpoint(room, '?feed=424242'));
    assert.equal(unknown.status, 404, unknown.body);
    const bad = await whipPost(endpoint(room, '?feed=abc'), 'v=0\r\n');
    assert.equal(bad.status, 400);
});

test('a room at its max_subscribers answers 503; its viewer goes on, and its place is taken',
    async () => {
        const room = newRoomId();
        const reply = await admin.handle.message({ request: 'create', room, max_subscribers: 1 });
        assert.equal(reply.plugindata.data.videoroom, 'created', JSON.stringify(reply));
        await publisher(room, 'first', FIRST);
        const viewer = new WhepViewer(cleanups);
        assert.equal((await viewer.play(endpoint(room))).status, 201);
        await viewer.waitFrames(FIRST, 5);
        const late = new WhepViewer(cleanups);
        const full = await late.play(endpoint(room));
        assert.equal(full.status, 503, full.body);
        assert.match(whipError(full).error, /Maximum number of subscribers \(1\)/);
        await viewer.waitFrames(FIRST, 10);
        assert.equal((await whipDelete(`${server.origin}${viewer.location}`)).status, 200);
        late.close();
        // The place is given back when the room's worker has removed the viewer.
        let next;
        await waitUntil(async () => {
            next?.close();
            next = new WhepViewer(cleanups);
            return (await next.play(endpoint(room))).status === 201;
        }, 'the next viewer to get the freed place');
        await next.waitFrames(FIRST, 5);
    });

test('the publisher leaves, another publishes: the viewer switches without renegotiation',
    async () => {
        const room = await createRoom();
        const first = await publisher(room, 'first', FIRST);
        const viewer = new WhepViewer(cleanups);
        const answer = await viewer.play(endpoint(room));
        assert.equal(answer.status, 201, answer.body);
        await viewer.waitFrames(FIRST, 20);
        const remote = viewer.pc.remoteDescription.sdp;
        const negotiations = viewer.negotiationsNeeded; // the first one came with addTransceiver
        const [before] = await viewer.inboundVideo();

        await first.publisher.handle.leave();
        first.close();
        await publisher(room, 'second', SECOND);
        await viewer.waitFrames(SECOND, 20);

        assert.equal(viewer.pc.remoteDescription.sdp, remote, 'the viewer was renegotiated');
        assert.equal(viewer.pc.signalingState, 'stable');
        assert.equal(viewer.negotiationsNeeded, negotiations);
        const [afterSwitch] = await viewer.inboundVideo();
        assert.equal(afterSwitch.ssrc, before.ssrc, 'the viewer got a new SSRC');
        // Sequence numbers continue across the switch: a jump would count as thousands lost.
        assert.ok(afterSwitch.packetsLost < 50,
            `packets lost across the switch: ${afterSwitch.packetsLost}`);
        assert.ok(afterSwitch.framesDecoded > before.framesDecoded);
        assert.equal((await whipDelete(`${server.origin}${viewer.location}`)).status, 200);
    });

test('web/whep.html plays a room in Chromium', { skip: browserMissing() || false }, async () => {
    const room = await createRoom();
    await publisher(room, 'first', FIRST);
    const browser = await launchBrowser();
    cleanups.push(async () => browser.close());
    const page = await (await browser.newContext()).newPage();
    forwardConsole(page, 'whep.html');
    await page.goto(`${server.origin}/whep.html?room=${room}&autoplay`);
    const playing = await waitFor('the WHEP page to decode video', async () => page.evaluate(async () => {
        const pc = window.prism?.pc;
        const video = document.getElementById('video');
        let decoded = 0;
        for (const stats of pc ? (await pc.getStats()).values() : []) {
            if (stats.type === 'inbound-rtp' && stats.kind === 'video') decoded = stats.framesDecoded;
        }
        const error = document.querySelector('[role="alert"]').textContent;
        return error ? { error } : (decoded > 10 && video.videoWidth === 160 ? { decoded } : null);
    }), 60000);
    assert.equal(playing.error, undefined, playing.error);
    // Stop sends DELETE: the viewer's resource is gone.
    await page.click('#stop');
    await waitFor('the page to stop', async () => page.evaluate(() => !window.prism.pc));
});
