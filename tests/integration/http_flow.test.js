// The Janus REST API's normal flow: info, create, attach, message with the event delivered by
// long-poll, event order, maxev batches, keepalive, detach and destroy.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertEchoEvent, ECHOTEST, JanusHttp } from './lib/http.js';
import { sleep, startServer } from './lib/server.js';

let server;
let api;

before(async () => {
    server = await startServer();
    api = new JanusHttp(server.base);
});

after(async () => {
    await server?.stop();
});

test('GET /janus/info lists the echotest plugin and both transports', async () => {
    const response = await fetch(server.infoUrl);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^application\/json/);
    const info = await response.json();
    assert.equal(info.janus, 'server_info');
    assert.equal(typeof info.version_string, 'string');
    assert.ok(info.plugins[ECHOTEST], 'echotest listed');
    assert.equal(typeof info.plugins[ECHOTEST].version_string, 'string');
    assert.ok(info.transports['janus.transport.http'], 'HTTP transport listed');
    assert.ok(info.transports['janus.transport.websockets'], 'WebSocket transport listed');
});

test('info as a POST request echoes the transaction', async () => {
    const reply = await api.post({ janus: 'info', transaction: 'info-1' });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.janus, 'server_info');
    assert.equal(reply.json.transaction, 'info-1');
});

test('ping answers pong with the transaction', async () => {
    const reply = await api.post({ janus: 'ping', transaction: 'ping-1' });
    assert.deepEqual(reply.json, { janus: 'pong', transaction: 'ping-1' });
});

test('create, attach and message: ack, then the echotest event arrives by long-poll', async () => {
    const created = await api.post({ janus: 'create', transaction: 'create-1' });
    assert.equal(created.status, 200);
    assert.equal(created.json.janus, 'success');
    assert.equal(created.json.transaction, 'create-1');
    const sessionId = created.json.data.id;
    assert.ok(Number.isSafeInteger(sessionId) && sessionId > 0, `session id ${sessionId}`);

    const attached = await api.post({ janus: 'attach', transaction: 'attach-1', plugin: ECHOTEST },
        sessionId);
    assert.equal(attached.json.janus, 'success');
    assert.equal(attached.json.session_id, sessionId);
    assert.equal(attached.json.transaction, 'attach-1');
    const handleId = attached.json.data.id;
    assert.ok(Number.isSafeInteger(handleId) && handleId > 0, `handle id ${handleId}`);

    const sent = await api.post({ janus: 'message', transaction: 'msg-1', body: { audio: true } },
        sessionId, handleId);
    assert.equal(sent.json.janus, 'ack');
    assert.equal(sent.json.session_id, sessionId);
    assert.equal(sent.json.transaction, 'msg-1');

    const { event, skipped } = await api.pollUntil(sessionId, (e) => e.janus === 'event');
    assert.deepEqual(skipped, []);
    assertEchoEvent(event, sessionId, handleId, 'msg-1');
    await api.destroy(sessionId);
});

test('a long-poll waiting before the message gets the event', async () => {
    const sessionId = await api.create();
    const handleId = await api.attach(sessionId);
    const waiting = api.poll(sessionId);
    await sleep(200);
    const tx = await api.message(sessionId, handleId);
    const reply = await waiting;
    assert.equal(reply.status, 200);
    assertEchoEvent(reply.json, sessionId, handleId, tx);
    await api.destroy(sessionId);
});

test('long-polls deliver several events in the order they were caused', async () => {
    const sessionId = await api.create();
    const handleId = await api.attach(sessionId);
    const sent = [];
    for (let i = 0; i < 6; i++) sent.push(await api.message(sessionId, handleId));
    const got = [];
    while (got.length < sent.length) {
        const { event } = await api.pollUntil(sessionId, (e) => e.janus === 'event');
        assertEchoEvent(event, sessionId, handleId, event.transaction);
        got.push(event.transaction);
    }
    assert.deepEqual(got, sent);
    await api.destroy(sessionId);
});

test('maxev returns an array of at most maxev events, in order', async () => {
    const sessionId = await api.create();
    const handleId = await api.attach(sessionId);
    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await api.message(sessionId, handleId));
    await sleep(1000); // let the three events queue up

    const first = await api.poll(sessionId, { maxev: 2 });
    assert.equal(first.status, 200);
    assert.ok(Array.isArray(first.json), `maxev reply is an array: ${first.text}`);
    assert.equal(first.json.length, 2);
    const second = await api.poll(sessionId, { maxev: 5 });
    assert.ok(Array.isArray(second.json), `maxev reply is an array: ${second.text}`);
    assert.equal(second.json.length, 1);
    const events = [...first.json, ...second.json];
    events.forEach((event, i) => assertEchoEvent(event, sessionId, handleId, sent[i]));

    // Like Janus: maxev=1 answers a bare object, maxev >= 2 an array even for one event, also
    // when the poll was waiting before the event existed.
    const tx = await api.message(sessionId, handleId);
    const single = await api.poll(sessionId, { maxev: 1 });
    assert.ok(!Array.isArray(single.json), `maxev=1 reply is an object: ${single.text}`);
    assertEchoEvent(single.json, sessionId, handleId, tx);
    const waiting = api.poll(sessionId, { maxev: 4 });
    await sleep(200);
    const late = await api.message(sessionId, handleId);
    const woken = await waiting;
    assert.ok(Array.isArray(woken.json), `maxev=4 reply is an array: ${woken.text}`);
    assert.equal(woken.json.length, 1);
    assertEchoEvent(woken.json[0], sessionId, handleId, late);
    await api.destroy(sessionId);
});

test('keepalive on a session is acknowledged', async () => {
    const sessionId = await api.create();
    const reply = await api.post({ janus: 'keepalive', transaction: 'ka-1' }, sessionId);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json, { janus: 'ack', session_id: sessionId, transaction: 'ka-1' });
    await api.destroy(sessionId);
});

test('detach answers success, pushes detached, and forgets the handle', async () => {
    const sessionId = await api.create();
    const handleId = await api.attach(sessionId);
    const reply = await api.post({ janus: 'detach', transaction: 'det-1' }, sessionId, handleId);
    assert.deepEqual(reply.json, { janus: 'success', session_id: sessionId, transaction: 'det-1' });
    const { event } = await api.pollUntil(sessionId, (e) => e.janus === 'detached');
    assert.deepEqual(event, { janus: 'detached', session_id: sessionId, sender: handleId });

    const again = await api.post({ janus: 'message', transaction: 'm', body: {} }, sessionId,
        handleId);
    assert.equal(again.json.janus, 'error');
    assert.equal(again.json.error.code, 459);
    await api.destroy(sessionId);
});

test('destroy answers success and the session is gone afterwards', async () => {
    const sessionId = await api.create();
    await api.attach(sessionId);
    const reply = await api.post({ janus: 'destroy', transaction: 'des-1' }, sessionId);
    assert.deepEqual(reply.json, { janus: 'success', session_id: sessionId, transaction: 'des-1' });

    const keepalive = await api.post({ janus: 'keepalive', transaction: 'ka' }, sessionId);
    assert.equal(keepalive.json.janus, 'error');
    assert.equal(keepalive.json.error.code, 458);
    assert.equal(keepalive.json.session_id, sessionId);
    // Like Janus, a long-poll on a session that does not exist is a plain 404.
    const poll = await api.poll(sessionId, { timeoutMs: 5000 });
    assert.equal(poll.status, 404);
});

test('session and handle ids are random positive integers below 2^53', async () => {
    const sessions = [];
    const handles = [];
    for (let i = 0; i < 20; i++) {
        const created = await api.post({ janus: 'create', transaction: `c${i}` });
        const raw = /"id"\s*:\s*(\d+)/.exec(created.text);
        assert.ok(raw, `numeric id in ${created.text}`);
        assert.ok(BigInt(raw[1]) < 2n ** 53n, `session id ${raw[1]} below 2^53`);
        sessions.push(created.json.data.id);
        handles.push(await api.attach(created.json.data.id));
    }
    const all = [...sessions, ...handles];
    for (const id of all) assert.ok(Number.isSafeInteger(id) && id > 0, `id ${id}`);
    assert.equal(new Set(all).size, all.length, 'ids are unique');
    // Random, not counters: consecutive ids are not neighbours.
    const close = sessions.slice(1).filter((id, i) => Math.abs(id - sessions[i]) < 1000);
    assert.ok(close.length < 3, `sequential-looking session ids: ${sessions.join(', ')}`);
    for (const id of sessions) await api.destroy(id);
});
