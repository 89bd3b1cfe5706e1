// Shutdown on SIGTERM: a WebSocket client holding a session with handles is told each handle is
// detached before the socket closes, and the server exits with status 0 within 5 seconds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JanusHttp } from './lib/http.js';
import { againstJanus, startServer } from './lib/server.js';
import { JanusWs } from './lib/ws.js';

test('SIGTERM detaches every handle for its client, then exits 0 within 5 s', async () => {
    const server = await startServer();
    const client = await JanusWs.connect(server.wsUrl);
    const sessionId = await client.create();
    const handles = [await client.attach(sessionId), await client.attach(sessionId)];
    await client.message(sessionId, handles[0]);
    // An HTTP session with a long-poll waiting must not hold the shutdown up either.
    const api = new JanusHttp(server.base);
    const httpSession = await api.create();
    const polling = api.poll(httpSession, { timeoutMs: 10000 }).catch((error) => error);

    const mark = client.received.length;
    const status = await server.terminate(5000);
    const closed = await client.closed;
    await polling;
    assert.equal(status.code, 0, `exit status ${JSON.stringify(status)}`);
    assert.ok(status.ms <= 5000, `took ${status.ms} ms`);
    assert.ok(closed, 'the socket was closed');

    if (againstJanus) return; // Janus 1.1 drops the socket without telling the client anything.
    const detached = client.received.slice(mark).filter((m) => m.janus === 'detached');
    const byId = (x, y) => x - y;
    assert.deepEqual(detached.map((m) => m.sender).sort(byId), [...handles].sort(byId));
    for (const event of detached) assert.equal(event.session_id, sessionId);
    // No media was up, so no hangup is due.
    const hangups = client.received.slice(mark).filter((m) => m.janus === 'hangup');
    assert.deepEqual(hangups, []);
});
