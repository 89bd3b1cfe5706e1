// janus.plugin.videoroom's requests without media, or with one publisher where a rule needs
// one: room management (create, exists, list, edit, destroy, allowed, kick, moderate,
// listparticipants) through janode's VideoRoom module and as raw messages, which requests are
// answered at once ("success") and which with an ack and an event, and the error codes
// clients branch on (424-436).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EchoPeer } from './lib/peer.js';
import { startServer } from './lib/server.js';
import { connectJanode, newRoomId, RoomHandle, VIDEOROOM } from './lib/videoroom.js';
import { JanusWs } from './lib/ws.js';

let server;
let client; // raw WebSocket client
let sessionId;
let connection; // janode
let janodeAdmin; // RoomHandle through janode
const peers = [];

before(async () => {
    server = await startServer();
    client = await JanusWs.connect(server.wsUrl);
    sessionId = await client.create();
    connection = await connectJanode(server);
    janodeAdmin = await RoomHandle.attach(await connection.create());
});

after(async () => {
    for (const peer of peers) peer.close();
    await client?.close();
    await connection?.close().catch(() => {});
    await server?.stop();
});

async function attach() {
    return client.attach(sessionId, VIDEOROOM);
}

// Sends `body` (and `jsep`) to the VideoRoom on `handleId`. Resolves with {kind, data, jsep}:
// kind "sync" for a plugin reply inside "success", "async" for an ack then an event.
async function send(handleId, body, jsep) {
    const request = { janus: 'message', session_id: sessionId, handle_id: handleId, body };
    if (jsep) request.jsep = jsep;
    const reply = await client.request(request);
    if (reply.janus === 'success') {
        assert.equal(reply.plugindata?.plugin, VIDEOROOM, JSON.stringify(reply));
        assert.equal(reply.sender, handleId);
        return { kind: 'sync', data: reply.plugindata.data };
    }
    assert.equal(reply.janus, 'ack', `${body.request}: ${JSON.stringify(reply)}`);
    const event = await client.waitFor(
        (m) => m.janus === 'event' && m.transaction === reply.transaction, { timeoutMs: 10000 });
    assert.equal(event.plugindata?.plugin, VIDEOROOM);
    assert.equal(event.sender, handleId);
    return { kind: 'async', data: event.plugindata.data, jsep: event.jsep };
}

// Waits for a pushed message matching `match` (from index `from`); fails naming `what`.
async function waitPushed(match, what, from) {
    try {
        return await client.waitFor(match, { from, timeoutMs: 10000 });
    } catch (error) {
        const seen = client.received.slice(from).filter((m) => !m.transaction)
            .map((m) => `${m.janus} ${JSON.stringify(m.plugindata?.data ?? m.reason ?? '')}`);
        const since = seen.join(' | ') || 'nothing';
        throw new Error(`${what}: ${error.message} (pushed since: ${since})`);
    }
}

// The requests Janus answers at once, and the ones it answers with an ack and an event.
const SYNC = new Set(['create', 'edit', 'destroy', 'exists', 'list', 'allowed', 'kick', 'moderate',
    'listparticipants']);

// Sends and checks that the VideoRoom refused with `code` (and a reason), in the right way.
async function refused(handleId, body, code, jsep) {
    const { kind, data } = await send(handleId, body, jsep);
    assert.equal(data.error_code, code, `${JSON.stringify(body)} -> ${JSON.stringify(data)}`);
    assert.equal(data.videoroom, 'event');
    assert.equal(typeof data.error, 'string');
    assert.ok(data.error.length > 0, 'an error without a reason');
    if (body.request) assert.equal(kind, SYNC.has(body.request) ? 'sync' : 'async', body.request);
    return data;
}

// Sends every case ([handle id or a function giving one, body, code]) in order and fails once,
// listing every answer that differs, so that one mismatch does not hide the next.
async function expectRefusals(cases) {
    const wrong = [];
    for (const [target, body, code] of cases) {
        const handleId = typeof target === 'function' ? await target() : target;
        const { kind, data } = await send(handleId, body);
        const expected = SYNC.has(body.request) ? 'sync' : 'async';
        const right = data.error_code === code && kind === expected && data.videoroom === 'event' &&
            typeof data.error === 'string' && data.error.length > 0;
        if (!right) {
            wrong.push(`${JSON.stringify(body)}: expected ${code} (${expected}), got ${kind} ` +
                `${JSON.stringify(data)}`);
        }
    }
    assert.deepEqual(wrong, [],
        `${wrong.length} of ${cases.length} answers differ:\n${wrong.join('\n')}`);
}

async function ok(handleId, body, jsep) {
    const reply = await send(handleId, body, jsep);
    assert.equal(reply.data.error_code, undefined,
        `${JSON.stringify(body)} -> ${JSON.stringify(reply.data)}`);
    assert.equal(reply.kind, SYNC.has(body.request) ? 'sync' : 'async', body.request);
    return reply;
}

async function createRoom(settings = {}) {
    const room = newRoomId();
    const { data } = await ok(await attach(), { request: 'create', room, ...settings });
    assert.deepEqual(data, { videoroom: 'created', room, permanent: false });
    return room;
}

async function listed(room) {
    const { data } = await ok(await attach(), { request: 'list' });
    assert.equal(data.videoroom, 'success');
    assert.ok(Array.isArray(data.list));
    return data.list.find((entry) => entry.room === room);
}

async function participants(room) {
    const { data } = await ok(await attach(), { request: 'listparticipants', room });
    assert.equal(data.videoroom, 'participants');
    assert.equal(data.room, room);
    return data.participants;
}

test('create with options; exists, list and edit see them; destroy removes the room', async () => {
    const handle = await attach();
    const room = await createRoom({ description: 'api room', secret: 'adm', pin: '1234',
        is_private: false, publishers: 2, bitrate: 128000, fir_freq: 10, audiocodec: 'opus',
        videocodec: 'vp8', notify_joining: true });
    assert.deepEqual((await ok(handle, { request: 'exists', room })).data,
        { videoroom: 'success', room, exists: true });
    const other = newRoomId();
    assert.deepEqual((await ok(handle, { request: 'exists', room: other })).data,
        { videoroom: 'success', room: other, exists: false });

    const entry = await listed(room);
    assert.ok(entry, 'the room is not listed');
    assert.equal(entry.description, 'api room');
    assert.equal(entry.pin_required, true);
    assert.equal(entry.is_private, false);
    assert.equal(entry.max_publishers, 2);
    assert.equal(entry.bitrate, 128000);
    assert.equal(entry.fir_freq, 10);
    assert.equal(entry.audiocodec, 'opus');
    assert.equal(entry.videocodec, 'vp8');
    assert.equal(entry.notify_joining, true);
    assert.equal(entry.num_participants, 0);
    assert.ok(!('secret' in entry) && !('pin' in entry),
        `list leaks secrets: ${JSON.stringify(entry)}`);

    await refused(handle, { request: 'edit', room, secret: 'nope', new_description: 'x' }, 433);
    const edited = await ok(handle, { request: 'edit', room, secret: 'adm',
        new_description: 'renamed', new_publishers: 3, new_bitrate: 64000 });
    assert.deepEqual(edited.data, { videoroom: 'edited', room, permanent: false });
    const after = await listed(room);
    assert.equal(after.description, 'renamed');
    assert.equal(after.max_publishers, 3);
    assert.equal(after.bitrate, 64000);

    // A room created without an id gets a fresh positive one; private rooms are not listed.
    const { data: anonymous } = await ok(handle, { request: 'create', is_private: true });
    assert.equal(anonymous.videoroom, 'created');
    assert.ok(Number.isSafeInteger(anonymous.room) && anonymous.room > 0,
        JSON.stringify(anonymous));
    assert.equal((await ok(handle, { request: 'exists', room: anonymous.room })).data.exists, true);
    assert.equal(await listed(anonymous.room), undefined, 'a private room is listed');

    await refused(handle, { request: 'destroy', room, secret: 'nope' }, 433);
    const destroyed = await ok(handle, { request: 'destroy', room, secret: 'adm' });
    assert.deepEqual(destroyed.data, { videoroom: 'destroyed', room, permanent: false });
    assert.equal((await ok(handle, { request: 'exists', room })).data.exists, false);
    assert.equal(await listed(room), undefined);
    await refused(handle, { request: 'destroy', room, secret: 'adm' }, 426);
});

test('janode\'s VideoRoom module drives the same requests', async () => {
    const { handle } = janodeAdmin;
    const room = newRoomId();
    const created = await handle.create({ room, description: 'janode room', max_publishers: 4,
        secret: 'j-secret' });
    assert.equal(created.room, room);
    assert.equal(created.permanent, false);
    assert.equal((await handle.exists({ room })).exists, true);
    const { list } = await handle.list();
    assert.equal(list.find((entry) => entry.room === room)?.description, 'janode room');
    assert.deepEqual((await handle.listParticipants({ room })).participants, []);
    const allowed = await handle.allow({ room, action: 'add', list: ['tok-a'],
        secret: 'j-secret' });
    assert.deepEqual(allowed.list, ['tok-a']);
    await assert.rejects(handle.destroy({ room, secret: 'wrong' }), /^Error: 433 /);
    await assert.rejects(handle.create({ room }), (error) => error._code === 427);
    assert.equal((await handle.destroy({ room, secret: 'j-secret' })).room, room);
    assert.equal((await handle.exists({ room })).exists, false);
    await assert.rejects(handle.listParticipants({ room }), (error) => error._code === 426);
});

test('room errors: 426 no such room, 427 room exists, 429 missing and 430 invalid elements',
    async () => {
        const handle = await attach();
        const room = await createRoom({ secret: 's' });
        const missing = newRoomId();
        await expectRefusals([
            [handle, { request: 'destroy', room: missing }, 426],
            [handle, { request: 'edit', room: missing, new_description: 'x' }, 426],
            [handle, { request: 'listparticipants', room: missing }, 426],
            [handle, { request: 'kick', room: missing, id: 1 }, 426],
            [handle, { request: 'allowed', room: missing, action: 'enable' }, 426],
            [attach, { request: 'join', ptype: 'publisher', room: missing }, 426],
            [handle, { request: 'create', room }, 427],
            [handle, { request: 'exists' }, 429],
            [handle, { request: 'listparticipants' }, 429],
            [handle, { request: 'kick', room, secret: 's' }, 429],
            [handle, { request: 'allowed', room, secret: 's' }, 429],
            [attach, { request: 'join', room }, 429],
            [attach, { request: 'join', ptype: 'subscriber', room }, 429],
            [handle, { request: 'create', room: 'not-a-number' }, 430],
            [handle, { request: 'create', publishers: 'many' }, 430],
            [handle, { request: 'edit', room, secret: 's', new_publishers: 'x' }, 430],
            [handle, { request: 'allowed', room, secret: 's', action: 'bogus' }, 430],
            [attach, { request: 'join', ptype: 'bogus', room }, 430],
        ]);
        // Not a VideoRoom request at all.
        const unknown = await send(handle, { request: 'no-such-request' });
        assert.equal(unknown.data.error_code, 423);
    });

test('participant errors: 424 join first, 425 already joined, 436 id exists, 428 no such feed',
    async () => {
        const room = await createRoom({ secret: 's' });
        const fresh = await attach();
        await expectRefusals(['configure', 'publish', 'unpublish', 'start', 'leave', 'switch']
            .map((request) => [fresh, { request, ...(request === 'switch' ? { streams: [] } : {}) },
                424]));
        const first = await attach();
        const joined = await ok(first, { request: 'join', ptype: 'publisher', room, display: 'one',
            id: 4242 });
        assert.equal(joined.data.videoroom, 'joined');
        assert.equal(joined.data.room, room);
        assert.equal(joined.data.id, 4242);
        assert.equal(typeof joined.data.private_id, 'number');
        assert.deepEqual(joined.data.publishers, []);
        await expectRefusals([
            [first, { request: 'join', ptype: 'publisher', room }, 425],
            [attach, { request: 'join', ptype: 'publisher', room, id: 4242 }, 436],
            [first, { request: 'unpublish' }, 435],
            [attach, { request: 'join', ptype: 'subscriber', room,
                streams: [{ feed: 999999 }] }, 428],
            // A participant who publishes nothing is no feed to subscribe to either.
            [attach, { request: 'join', ptype: 'subscriber', room,
                streams: [{ feed: 4242 }] }, 428],
            [attach, { request: 'kick', room, secret: 's', id: 999999 }, 428],
            [attach, { request: 'moderate', room, secret: 's', id: 999999, mid: '0',
                mute: true }, 428],
        ]);
        const list = await participants(room);
        assert.deepEqual(list.map(({ id, display, publisher }) => ({ id, display, publisher })),
            [{ id: 4242, display: 'one', publisher: false }]);
    });

test('433: wrong secret, wrong pin, and a token not on the allowed list', async () => {
    const room = await createRoom({ secret: 'right', pin: 'open-sesame' });
    const handle = await attach();
    await expectRefusals([
        [handle, { request: 'edit', room, secret: 'wrong', new_description: 'x' }, 433],
        [handle, { request: 'destroy', room, secret: 'wrong' }, 433],
        [handle, { request: 'kick', room, secret: 'wrong', id: 1 }, 433],
        [handle, { request: 'moderate', room, secret: 'wrong', id: 1, mid: '0', mute: true }, 433],
        [handle, { request: 'allowed', room, secret: 'wrong', action: 'enable' }, 433],
        [attach, { request: 'join', ptype: 'publisher', room, pin: 'wrong' }, 433],
        // No pin at all is a missing element, as in Janus.
        [attach, { request: 'join', ptype: 'publisher', room }, 429],
    ]);
    await ok(await attach(), { request: 'join', ptype: 'publisher', room, pin: 'open-sesame' });

    // allowed: enable checks, add and remove tokens, disable.
    const enabled = await ok(handle, { request: 'allowed', room, secret: 'right',
        action: 'enable' });
    assert.deepEqual(enabled.data, { videoroom: 'success', room, allowed: [] });
    const added = await ok(handle, { request: 'allowed', room, secret: 'right', action: 'add',
        allowed: ['alpha', 'beta'] });
    assert.deepEqual([...added.data.allowed].sort(), ['alpha', 'beta']);
    const removed = await ok(handle, { request: 'allowed', room, secret: 'right', action: 'remove',
        allowed: ['alpha'] });
    assert.deepEqual(removed.data.allowed, ['beta']);
    await refused(await attach(), { request: 'join', ptype: 'publisher', room, pin: 'open-sesame',
        token: 'alpha' }, 433);
    await refused(await attach(), { request: 'join', ptype: 'publisher', room, pin: 'open-sesame' },
        433);
    await ok(await attach(), { request: 'join', ptype: 'publisher', room, pin: 'open-sesame',
        token: 'beta' });
    const disabled = await ok(handle, { request: 'allowed', room, secret: 'right',
        action: 'disable' });
    assert.deepEqual(disabled.data, { videoroom: 'success', room });
    await ok(await attach(), { request: 'join', ptype: 'publisher', room, pin: 'open-sesame' });
    assert.equal((await participants(room)).length, 3);
});

// Joins and publishes a real PeerConnection on `handleId`; resolves once media is up.
async function publishWithMedia(handleId, room, display) {
    const joined = await ok(handleId, { request: 'join', ptype: 'publisher', room, display });
    const peer = new EchoPeer({ width: 160, height: 112, fps: 10, dataChannel: false });
    peers.push(peer);
    const { data, jsep } = await ok(handleId, { request: 'publish', audio: true, video: true },
        await peer.completeOffer());
    assert.equal(data.configured, 'ok');
    await peer.applyAnswer(jsep);
    await peer.waitConnected();
    await client.waitFor((m) => m.janus === 'webrtcup' && m.sender === handleId,
        { timeoutMs: 10000 });
    return { id: joined.data.id, peer, streams: data.streams };
}

test('432 publishers full, 434 already published', async () => {
    const room = await createRoom({ publishers: 1, secret: 'mod' });
    const first = await attach();
    const publisher = await publishWithMedia(first, room, 'first');
    // A second publisher in a room for one: joining is fine, publishing is not.
    const second = await attach();
    await ok(second, { request: 'join', ptype: 'publisher', room, display: 'second' });
    const extra = new EchoPeer({ width: 160, height: 112, dataChannel: false });
    peers.push(extra);
    await refused(second, { request: 'publish', audio: true, video: true }, 432,
        await extra.completeOffer());
    // Publishing again: the same offer again (a new one with another DTLS fingerprint may be
    // refused before the VideoRoom sees it).
    const { type, sdp } = publisher.peer.pc.localDescription;
    await refused(first, { request: 'publish', audio: true, video: true }, 434, { type, sdp });
});

// A room for two with a secret, "first" publishing and "second" joined without media.
async function roomWithPublisher() {
    const room = await createRoom({ publishers: 2, secret: 'mod' });
    const first = await attach();
    const publisher = await publishWithMedia(first, room, 'first');
    const second = await attach();
    await ok(second, { request: 'join', ptype: 'publisher', room, display: 'second' });
    return { room, first, second, publisher };
}

test('listparticipants and moderate with a publisher in the room', async () => {
    const { room, first, second, publisher } = await roomWithPublisher();

    const list = await participants(room);
    const byName = Object.fromEntries(list.map((p) => [p.display, p]));
    assert.equal(byName.first?.publisher, true, JSON.stringify(list));
    assert.equal(byName.first.id, publisher.id);
    assert.equal(byName.second?.publisher, false, JSON.stringify(list));

    // moderate: mute the video stream; everyone in the room is told.
    const video = publisher.streams.find((s) => s.type === 'video');
    const from = client.received.length;
    await refused(first, { request: 'moderate', room, secret: 'mod', id: publisher.id, mid: 'nope',
        mute: true }, 428);
    const moderated = await ok(first, { request: 'moderate', room, secret: 'mod', id: publisher.id,
        mid: video.mid, mute: true });
    assert.deepEqual(moderated.data, { videoroom: 'success' });
    for (const handleId of [first, second]) {
        const event = await waitPushed((m) => m.janus === 'event' && m.sender === handleId &&
            m.plugindata?.data?.moderation, `the moderation event on handle ${handleId}`, from);
        assert.deepEqual(event.plugindata.data, { videoroom: 'event', room, id: publisher.id,
            mid: video.mid, moderation: 'muted' });
    }

});

test('kick: the kicked participant and the others are told, and its seat is free', async () => {
    const { room, first, second, publisher } = await roomWithPublisher();
    // A sync success; the kicked handle hears "leaving"/"kicked", the others "kicked".
    const kickFrom = client.received.length;
    const kicked = await ok(await attach(),
        { request: 'kick', room, secret: 'mod', id: publisher.id });
    assert.deepEqual(kicked.data, { videoroom: 'success' });
    const told = await waitPushed((m) => m.janus === 'event' && m.sender === first &&
        m.plugindata?.data?.leaving === 'ok', 'the kicked handle to be told', kickFrom);
    assert.deepEqual(told.plugindata.data,
        { videoroom: 'event', room, leaving: 'ok', reason: 'kicked' });
    const others = await waitPushed((m) => m.janus === 'event' && m.sender === second &&
        m.plugindata?.data?.kicked !== undefined, 'the others to hear of the kick', kickFrom);
    assert.deepEqual(others.plugindata.data, { videoroom: 'event', room, kicked: publisher.id });
    await waitPushed((m) => m.janus === 'hangup' && m.sender === first, 'the kicked hangup',
        kickFrom);
    assert.deepEqual((await participants(room)).map((p) => p.display), ['second']);
    // The seat is taken by someone else.
    const again = new EchoPeer({ width: 160, height: 112, fps: 10, dataChannel: false });
    peers.push(again);
    const published = await ok(second, { request: 'publish', audio: true, video: true },
        await again.completeOffer());
    assert.equal(published.data.configured, 'ok');
});

test('sync replies and async events carry the session and handle they belong to', async () => {
    const handle = await attach();
    const room = newRoomId();
    const tx = `vr-${Date.now()}`;
    const reply = await client.request({ janus: 'message', session_id: sessionId, handle_id: handle,
        transaction: tx, body: { request: 'create', room } });
    assert.deepEqual(reply, {
        janus: 'success', session_id: sessionId, transaction: tx, sender: handle,
        plugindata: { plugin: VIDEOROOM, data: { videoroom: 'created', room, permanent: false } },
    });
    const joinTx = `${tx}-join`;
    const ack = await client.request({ janus: 'message', session_id: sessionId, handle_id: handle,
        transaction: joinTx, body: { request: 'join', ptype: 'publisher', room } });
    assert.deepEqual(ack, { janus: 'ack', session_id: sessionId, transaction: joinTx });
    const event = await client.waitFor((m) => m.janus === 'event' && m.transaction === joinTx);
    assert.deepEqual(Object.keys(event).sort(),
        ['janus', 'plugindata', 'sender', 'session_id', 'transaction'].sort());
    assert.equal(event.sender, handle);
    assert.equal(event.session_id, sessionId);
    assert.equal(event.plugindata.data.videoroom, 'joined');
    // Janode resolves the same request with the joined event data.
    const janodeHandle = await RoomHandle.attach(await connection.create());
    const joined = await janodeHandle.handle.joinPublisher({ room, display: 'via janode' });
    assert.equal(typeof joined.feed, 'number');
    assert.equal(joined.publishers.length, 0);
});
