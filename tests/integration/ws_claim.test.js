// Reclaiming sessions over WebSocket: with a reclaim timeout, a session outlives its socket for a
// while and a "claim" from another socket moves the session's events there.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertEchoEvent } from './lib/http.js';
import { sleep, startServer } from './lib/server.js';
import { JanusWs } from './lib/ws.js';

let server;

before(async () => {
    server = await startServer({ PRISM_GENERAL_RECLAIM_SESSION_TIMEOUT: '20' });
});

after(async () => {
    await server?.stop();
});

test('a session whose socket closed can be claimed and its events follow', async () => {
    const first = await JanusWs.connect(server.wsUrl);
    const sessionId = await first.create();
    const handleId = await first.attach(sessionId);
    await first.message(sessionId, handleId);
    await first.close();
    await sleep(200);

    const second = await JanusWs.connect(server.wsUrl);
    const claim = await second.request({ janus: 'claim', session_id: sessionId, transaction: 'cl' });
    assert.deepEqual(claim, { janus: 'success', session_id: sessionId, transaction: 'cl' });
    const { tx, event } = await second.message(sessionId, handleId);
    assertEchoEvent(event, sessionId, handleId, tx);
    await second.destroy(sessionId);
    await second.close();
});

test('claiming from a second live socket moves the events away from the first', async () => {
    const first = await JanusWs.connect(server.wsUrl);
    const second = await JanusWs.connect(server.wsUrl);
    const sessionId = await first.create();
    const handleId = await first.attach(sessionId);

    const claim = await second.request({ janus: 'claim', session_id: sessionId });
    assert.equal(claim.janus, 'success', JSON.stringify(claim));
    const before = first.received.length;
    const { tx, event } = await second.message(sessionId, handleId);
    assertEchoEvent(event, sessionId, handleId, tx);
    await sleep(300);
    const leaked = first.received.slice(before).filter((m) => m.janus === 'event');
    assert.deepEqual(leaked, [], 'the first socket still got plugin events');

    // Closing the first socket no longer affects the session: it belongs to the second.
    await first.close();
    await sleep(300);
    const keepalive = await second.request({ janus: 'keepalive', session_id: sessionId });
    assert.equal(keepalive.janus, 'ack');
    await second.destroy(sessionId);
    await second.close();
});

test('claiming an unknown session is refused with 458', async () => {
    const client = await JanusWs.connect(server.wsUrl);
    const reply = await client.request({ janus: 'claim', session_id: 4242, transaction: 'cl-x' });
    assert.equal(reply.janus, 'error');
    assert.equal(reply.error.code, 458);
    assert.equal(reply.session_id, 4242);
    assert.equal(reply.transaction, 'cl-x');
    await client.close();
});
