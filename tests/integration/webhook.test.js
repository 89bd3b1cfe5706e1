// The event webhook (general.event_webhook): Prism posts sessions, handles, SDP, WebRTC state,
// media statistics and VideoRoom events as JSON arrays in Janus's event handler shapes to an
// HTTP receiver run by the test; a receiver that fails is retried, and one that stops
// answering never holds up the server (events beyond the queue are dropped, requests go on).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { attachEcho, connectJanode, negotiate } from './lib/echo.js';
import { EchoPeer, waitUntil } from './lib/peer.js';
import { startServer } from './lib/server.js';
import { newRoomId, Participant, RoomHandle } from './lib/videoroom.js';

// An HTTP server on 127.0.0.1 that records every event posted to it.
class Receiver {
    constructor() {
        this.events = [];
        this.posts = 0;
        this.failures = 0; // answer this many posts with 500 first
        this.stalled = false; // hold every answer until release()
        this.held = [];
    }

    async start() {
        this.server = http.createServer((req, res) => {
            const chunks = [];
            req.on('data', (chunk) => chunks.push(chunk));
            req.on('end', () => this.receive(req, res, Buffer.concat(chunks).toString()));
        });
        await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
        return `http://127.0.0.1:${this.server.address().port}/events`;
    }

    receive(req, res, body) {
        this.posts++;
        assert.equal(req.method, 'POST');
        assert.equal(req.headers['content-type'], 'application/json');
        if (this.failures > 0) {
            this.failures--;
            res.writeHead(500).end();
            return;
        }
        const answer = () => {
            const batch = JSON.parse(body);
            assert.ok(Array.isArray(batch), 'a batch is a JSON array');
            this.events.push(...batch);
            res.writeHead(200).end();
        };
        if (this.stalled) this.held.push(answer);
        else answer();
    }

    release() {
        this.stalled = false;
        for (const answer of this.held.splice(0)) answer();
    }

    find(predicate) {
        return this.events.find(predicate);
    }

    async waitFor(predicate, what, timeoutMs = 20000) {
        await waitUntil(() => this.find(predicate), () =>
            `${what}; got ${JSON.stringify(this.events.map((e) => [e.type, e.event]))}`,
        timeoutMs);
        return this.find(predicate);
    }

    close() {
        this.release();
        this.server.closeAllConnections();
        this.server.close();
    }
}

const receivers = [];
const servers = [];

async function serverWithWebhook(receiver, settings = {}) {
    const url = await receiver.start();
    receivers.push(receiver);
    const server = await startServer({ PRISM_GENERAL_EVENT_WEBHOOK: url, ...settings });
    servers.push(server);
    return server;
}

after(async () => {
    for (const server of servers) await server.stop();
    for (const receiver of receivers) receiver.close();
});

test('sessions, handles, SDP, WebRTC state, media statistics and VideoRoom joins are posted',
    async () => {
        const receiver = new Receiver();
        receiver.failures = 2; // the first posts fail: the batch is retried, nothing is lost
        const server = await serverWithWebhook(receiver, { PRISM_GENERAL_EVENT_STATS_PERIOD: '1' });
        const connection = await connectJanode(server);
        const session = await connection.create();
        const { handle, events } = await attachEcho(session);
        const peer = new EchoPeer();
        try {
            await negotiate(handle, events, peer);
            await peer.waitConnected();
            const ids = { session_id: session.id, handle_id: handle.id };
            const mine = (type) => (e) => e.type === type && e.session_id === session.id;

            const created = await receiver.waitFor((e) => mine(1)(e) && e.event.name === 'created',
                'session created');
            assert.equal(created.emitter, 'Prism');
            assert.ok(Number.isInteger(created.timestamp) && created.timestamp > 1.6e15,
                'timestamps are Unix microseconds');
            assert.equal(created.event.transport.transport, 'janus.transport.websockets');
            const attached = await receiver.waitFor((e) => mine(2)(e) &&
                e.event.name === 'attached', 'handle attached');
            assert.equal(attached.handle_id, ids.handle_id);
            assert.equal(attached.event.plugin, 'janus.plugin.echotest');
            const offer = await receiver.waitFor((e) => mine(8)(e) &&
                e.event.owner === 'remote', 'the remote offer');
            assert.equal(offer.event.jsep.type, 'offer');
            assert.match(offer.event.jsep.sdp, /^v=0/);
            const answer = await receiver.waitFor((e) => mine(8)(e) && e.event.owner === 'local',
                'the local answer');
            assert.equal(answer.event.jsep.type, 'answer');
            await receiver.waitFor((e) => mine(16)(e) && e.event.connection === 'webrtcup',
                'webrtcup');
            await receiver.waitFor((e) => mine(32)(e) && e.event.receiving === true &&
                e.event.media === 'video', 'video receiving');
            const stats = await receiver.waitFor((e) => mine(32)(e) &&
                e.event['packets-received'] > 0 && e.event['packets-sent'] > 0,
            'media statistics with packets both ways');
            assert.ok(stats.event.medias.some((m) => m.media === 'video' && m.codec === 'VP8'));

            await handle.detach();
            await receiver.waitFor((e) => mine(2)(e) && e.event.name === 'detached',
                'handle detached');
            await receiver.waitFor((e) => mine(16)(e) && e.event.connection === 'hangup',
                'hangup');

            // VideoRoom: a publisher joining and leaving.
            const admin = await RoomHandle.attach(session);
            const room = newRoomId();
            await admin.handle.create({ room });
            const alice = new Participant(session, { room, display: 'alice' });
            await alice.join();
            const joined = await receiver.waitFor((e) => mine(64)(e) &&
                e.event.data.event === 'joined', 'VideoRoom joined');
            assert.equal(joined.event.plugin, 'janus.plugin.videoroom');
            assert.equal(joined.event.data.room, room);
            assert.equal(joined.event.data.id, alice.feed);
            assert.equal(joined.event.data.display, 'alice');
            await alice.publisher.handle.detach();
            await receiver.waitFor((e) => mine(64)(e) && e.event.data.event === 'leaving' &&
                e.event.data.id === alice.feed, 'VideoRoom leaving');

            await session.destroy();
            await receiver.waitFor((e) => mine(1)(e) && e.event.name === 'destroyed',
                'session destroyed');
            assert.ok(receiver.posts > receiver.events.length / 100, 'batches were posted');
        } finally {
            peer.close();
            await connection.close().catch(() => {});
        }
    });

test('a receiver that stops answering never holds up requests; what does not fit is dropped',
    async () => {
        const receiver = new Receiver();
        receiver.stalled = true;
        const server = await serverWithWebhook(receiver, {
            PRISM_GENERAL_EVENT_QUEUE_SIZE: '20',
            PRISM_GENERAL_EVENT_WEBHOOK_EVENTS: 'sessions',
        });
        const connection = await connectJanode(server);
        try {
            // 60 sessions: 60 "created" and 60 "destroyed" events against a queue of 20 and a
            // sender stuck on its first post. Every request is still answered.
            const burst = new Set();
            for (let i = 0; i < 60; i++) {
                const session = await connection.create();
                burst.add(session.id);
                await session.destroy();
            }
            await waitUntil(() => receiver.held.length > 0, 'the first post');
            receiver.release();
            // Events leave in order: once a session made after the release is reported, all
            // that the queue kept of the burst has arrived. (A marker may itself find the queue
            // still full and be dropped: make another until one gets through.)
            const markers = new Set();
            await waitUntil(async () => {
                const marker = await connection.create();
                markers.add(marker.id);
                await marker.destroy();
                return receiver.events.some((e) => markers.has(e.session_id));
            }, 'a session created after the release to be reported', 30000, 200);
            assert.ok(receiver.events.every((e) => e.type === 1), 'only session events');
            const arrived = receiver.events.filter((e) => burst.has(e.session_id)).length;
            assert.ok(arrived < 120, `${arrived} of the burst's 120 events arrived: none dropped`);
            assert.ok(arrived >= 1, 'the queue kept what fitted');
        } finally {
            await connection.close().catch(() => {});
        }
    });
