// 500 concurrent sessions: half over a few WebSockets, half over HTTP with their long-polls all
// waiting at once. Each attaches the echotest and gets its event; after destroy every id answers
// 458, and the server's file descriptors and memory come back down.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertEchoEvent, JanusHttp } from './lib/http.js';
import { sleep, startServer } from './lib/server.js';
import { JanusWs } from './lib/ws.js';

const WS_SOCKETS = 5;
const SESSIONS_PER_SOCKET = 50;
const HTTP_SESSIONS = 250;
const FD_SLACK = 8;
const RSS_SLACK = 64 * 1024 * 1024;
// Idle keep-alive connections of fetch close after 4 s; this leaves room for that.
const SETTLE_MS = 20000;

let server;
let api;

before(async () => {
    server = await startServer({ PRISM_HTTP_MAX_CONNECTIONS: '2048' });
    api = new JanusHttp(server.base);
});

after(async () => {
    await server?.stop();
});

// Runs `fn` over `items` with at most `width` calls in flight.
async function inBatches(items, width, fn) {
    const results = [];
    for (let i = 0; i < items.length; i += width) {
        results.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
    }
    return results;
}

// One socket's sessions: create, attach and a message each, all concurrently.
async function wsSessions(client, count) {
    return Promise.all(Array.from({ length: count }, async () => {
        const sessionId = await client.create();
        const handleId = await client.attach(sessionId);
        const { tx, event } = await client.message(sessionId, handleId, undefined, 30000);
        assertEchoEvent(event, sessionId, handleId, tx);
        return sessionId;
    }));
}

// HTTP sessions: create and attach, then park a long-poll on every session at once, then send
// every message; each waiting long-poll must come back with its own session's event.
async function httpSessions(count) {
    const pairs = await inBatches(Array.from({ length: count }), 50, async () => {
        const sessionId = await api.create();
        return { sessionId, handleId: await api.attach(sessionId) };
    });
    const polls = pairs.map(({ sessionId }) => api.poll(sessionId, { timeoutMs: 60000 }));
    await sleep(500);
    const sent = await inBatches(pairs, 50, ({ sessionId, handleId }) =>
        api.message(sessionId, handleId));
    const replies = await Promise.all(polls);
    replies.forEach((reply, i) => {
        assert.equal(reply.status, 200);
        assertEchoEvent(reply.json, pairs[i].sessionId, pairs[i].handleId, sent[i]);
    });
    return pairs.map(({ sessionId }) => sessionId);
}

// One full round: 500 sessions up, used, destroyed, and checked gone.
async function round() {
    const clients = await Promise.all(Array.from({ length: WS_SOCKETS },
        () => JanusWs.connect(server.wsUrl)));
    const [wsIds, httpIds] = await Promise.all([
        Promise.all(clients.map((client) => wsSessions(client, SESSIONS_PER_SOCKET))),
        httpSessions(HTTP_SESSIONS),
    ]);
    const all = [...wsIds.flat(), ...httpIds];
    assert.equal(new Set(all).size, WS_SOCKETS * SESSIONS_PER_SOCKET + HTTP_SESSIONS);

    await Promise.all(clients.map((client, i) =>
        Promise.all(wsIds[i].map((id) => client.destroy(id)))));
    await inBatches(httpIds, 50, (id) => api.destroy(id));
    await inBatches(all, 50, async (id) => {
        const reply = await api.post({ janus: 'keepalive', transaction: 'gone?' }, id);
        assert.equal(reply.json.janus, 'error', `session ${id} still answers`);
        assert.equal(reply.json.error.code, 458);
    });
    await Promise.all(clients.map((client) => client.close()));
}

// Waits until the server holds at most `limit` descriptors; returns the last count.
async function settleFds(limit) {
    const deadline = Date.now() + SETTLE_MS;
    let count = server.fdCount();
    while (count > limit && Date.now() < deadline) {
        await sleep(250);
        count = server.fdCount();
    }
    return count;
}

test('500 concurrent sessions over WebSocket and HTTP are served and fully freed', async (t) => {
    // Warm up (lazily created resources), then let idle client connections close.
    await round();
    await sleep(5000);
    const baselineFds = server.fdCount();

    await round();
    const fdsAfterFirst = await settleFds(baselineFds + FD_SLACK);
    assert.ok(fdsAfterFirst <= baselineFds + FD_SLACK,
        `descriptors grew from ${baselineFds} to ${fdsAfterFirst}`);
    const rssAfterFirst = server.rssBytes();

    await round();
    const fdsAfterSecond = await settleFds(baselineFds + FD_SLACK);
    assert.ok(fdsAfterSecond <= baselineFds + FD_SLACK,
        `descriptors grew from ${baselineFds} to ${fdsAfterSecond}`);
    const rssGrowth = server.rssBytes() - rssAfterFirst;
    t.diagnostic(`fds: baseline ${baselineFds}, after rounds ${fdsAfterFirst} and ${fdsAfterSecond}; ` +
        `RSS ${rssAfterFirst} bytes after round 1, ${rssGrowth} more after round 2`);
    assert.ok(rssGrowth < RSS_SLACK, `RSS grew by ${rssGrowth} bytes over a second round`);
});
