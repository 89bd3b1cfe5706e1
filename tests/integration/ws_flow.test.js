// The Janus API over WebSocket (subprotocol janus-protocol): the core flow with events pushed on
// the socket, two clients whose events never cross, and a closed socket taking its sessions along.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { assertEchoEvent, ECHOTEST, JanusHttp } from './lib/http.js';
import { againstJanus, sleep, startServer } from './lib/server.js';
import { JanusWs } from './lib/ws.js';

let server;

before(async () => {
    // No reclaim: a session dies with its socket.
    server = await startServer({ PRISM_GENERAL_RECLAIM_SESSION_TIMEOUT: '0' });
});

after(async () => {
    await server?.stop();
});

test('the server speaks the janus-protocol subprotocol', async () => {
    const client = await JanusWs.connect(server.wsUrl);
    assert.equal(client.socket.protocol, 'janus-protocol');
    const info = await client.request({ janus: 'info' });
    assert.equal(info.janus, 'server_info');
    assert.ok(info.plugins[ECHOTEST]);
    const pong = await client.request({ janus: 'ping', transaction: 'p-1' });
    assert.deepEqual(pong, { janus: 'pong', transaction: 'p-1' });
    await client.close();
});

test('create, attach, message, keepalive, detach and destroy over one socket', async () => {
    const client = await JanusWs.connect(server.wsUrl);
    const created = await client.request({ janus: 'create', transaction: 'c-1' });
    assert.equal(created.janus, 'success');
    assert.equal(created.transaction, 'c-1');
    const sessionId = created.data.id;
    assert.ok(Number.isSafeInteger(sessionId) && sessionId > 0);

    const attached = await client.request({ janus: 'attach', session_id: sessionId,
        plugin: ECHOTEST, transaction: 'a-1' });
    assert.equal(attached.janus, 'success');
    assert.equal(attached.session_id, sessionId);
    assert.equal(attached.transaction, 'a-1');
    const handleId = attached.data.id;

    const { tx, ack, event } = await client.message(sessionId, handleId);
    assert.equal(ack.session_id, sessionId);
    assertEchoEvent(event, sessionId, handleId, tx);

    const keepalive = await client.request({ janus: 'keepalive', session_id: sessionId,
        transaction: 'k-1' });
    assert.deepEqual(keepalive, { janus: 'ack', session_id: sessionId, transaction: 'k-1' });

    const mark = client.received.length;
    const detached = await client.request({ janus: 'detach', session_id: sessionId,
        handle_id: handleId, transaction: 'd-1' });
    assert.deepEqual(detached, { janus: 'success', session_id: sessionId, transaction: 'd-1' });
    const pushed = await client.waitFor((m) => m.janus === 'detached', { from: mark });
    assert.deepEqual(pushed, { janus: 'detached', session_id: sessionId, sender: handleId });

    const destroyed = await client.request({ janus: 'destroy', session_id: sessionId,
        transaction: 'x-1' });
    assert.deepEqual(destroyed, { janus: 'success', session_id: sessionId, transaction: 'x-1' });
    const gone = await client.request({ janus: 'keepalive', session_id: sessionId });
    assert.equal(gone.janus, 'error');
    assert.equal(gone.error.code, 458);
    await client.close();
});

test('invalid JSON on the socket is answered with 454 and the socket stays usable', async () => {
    const client = await JanusWs.connect(server.wsUrl);
    client.send('{"janus": ');
    const error = await client.waitFor((m) => m.janus === 'error');
    assert.equal(error.error.code, 454);
    const pong = await client.request({ janus: 'ping' });
    assert.equal(pong.janus, 'pong');
    await client.close();
});

test('two sockets only ever see their own sessions\' events', async () => {
    const a = await JanusWs.connect(server.wsUrl);
    const b = await JanusWs.connect(server.wsUrl);
    const sessionA = await a.create();
    const sessionB = await b.create();
    const handleA = await a.attach(sessionA);
    const handleB = await b.attach(sessionB);
    const rounds = 10;
    const work = [];
    for (let i = 0; i < rounds; i++) {
        work.push(a.message(sessionA, handleA), b.message(sessionB, handleB));
    }
    const results = await Promise.all(work);
    results.forEach(({ tx, event }, i) => {
        const [sessionId, handleId] = i % 2 ? [sessionB, handleB] : [sessionA, handleA];
        assertEchoEvent(event, sessionId, handleId, tx);
    });
    await sleep(200);
    for (const [client, own] of [[a, sessionA], [b, sessionB]]) {
        const foreign = client.received.filter((m) => m.session_id && m.session_id !== own);
        assert.deepEqual(foreign, [], 'no message about another client\'s session');
        const events = client.received.filter((m) => m.janus === 'event');
        assert.equal(events.length, rounds);
    }
    await a.destroy(sessionA);
    await b.destroy(sessionB);
    await a.close();
    await b.close();
});

test('closing the socket destroys its sessions (no reclaim)', async () => {
    const owner = await JanusWs.connect(server.wsUrl);
    const sessionId = await owner.create();
    const handleId = await owner.attach(sessionId);
    await owner.message(sessionId, handleId);
    await owner.close();

    const other = await JanusWs.connect(server.wsUrl);
    const deadline = Date.now() + 5000;
    let reply;
    do {
        reply = await other.request({ janus: 'keepalive', session_id: sessionId });
        if (reply.janus === 'error') break;
        await sleep(100);
    } while (Date.now() < deadline);
    assert.equal(reply.janus, 'error', 'the session outlived its socket');
    assert.equal(reply.error.code, 458);
    const claim = await other.request({ janus: 'claim', session_id: sessionId });
    assert.equal(claim.error.code, 458);
    // Over HTTP too: the id is unknown everywhere.
    const viaHttp = await new JanusHttp(server.base).post({ janus: 'keepalive', transaction: 't' },
        sessionId);
    assert.equal(viaHttp.json.error.code, 458);
    await other.close();
});

test('a socket without the janus-protocol subprotocol is not served the API', async () => {
    // Janus refuses the handshake; any refusal (error or immediate close) is acceptable.
    const socket = new WebSocket(server.wsUrl, 'not-janus');
    const outcome = await new Promise((resolve) => {
        socket.once('open', () => resolve(`open:${socket.protocol}`));
        socket.once('error', () => resolve('refused'));
        socket.once('close', () => resolve('closed'));
    });
    socket.terminate();
    assert.notEqual(outcome, 'open:not-janus');
});

// RFC 6455 section 5.1: the server must close the connection on a client frame that is not
// masked. (Janus, on libwebsockets 4.1, answers it.)
test('an unmasked frame closes that socket with 1002, and only that one',
    { skip: againstJanus && 'Janus answers unmasked frames' }, async () => {
        const bystander = await JanusWs.connect(server.wsUrl);
        const offender = await JanusWs.connect(server.wsUrl);
        const created = await offender.request({ janus: 'create' });
        assert.equal(created.janus, 'success');
        offender.socket.send(JSON.stringify({ janus: 'ping', transaction: 'unmasked' }),
            { mask: false });
        const closed = await offender.closed;
        assert.equal(closed.code, 1002);
        assert.equal(offender.received.filter((m) => m.transaction === 'unmasked').length, 0);
        const pong = await bystander.request({ janus: 'ping', transaction: 'still-here' });
        assert.equal(pong.janus, 'pong');
        await bystander.close();
    });
