// 100 echo calls in a row, each with its full life: create, attach, offer, media both ways,
// hangup, detach, destroy. Every call must deliver the same events and echoed frames, and the
// server must end where it started: file descriptors back to the baseline and a resident size
// that stops growing. Leaks of memory are caught at exit: under ASan, LeakSanitizer turns any
// into a non-zero exit status, which stop() reports.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rawNegotiate } from './lib/echo.js';
import { EchoPeer, waitUntil } from './lib/peer.js';
import { startServer } from './lib/server.js';
import { JanusWs } from './lib/ws.js';

const CALLS = Number(process.env.PRISM_CHURN_CALLS || 100);
const WARM_UP = 10; // calls before the resident size is taken as the reference
const FD_SLACK = 4;
const RSS_GROWTH_LIMIT = 48 * 1024 * 1024;

let server;

before(async () => {
    // A small ASan quarantine, so freed memory is reused and the resident size means something.
    const asan = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=16'].filter(Boolean).join(':');
    server = await startServer({ ASAN_OPTIONS: asan });
});

after(async () => {
    await server?.stop();
});

// One call from start to end over `client`; checks the shape of every Janus event it brings.
async function oneCall(client) {
    const sessionId = await client.create();
    const handleId = await client.attach(sessionId);
    const from = client.received.length;
    const peer = new EchoPeer({ dataChannel: false });
    try {
        await rawNegotiate(client, sessionId, handleId, peer);
        await peer.waitConnected();
        await peer.waitFrames(3);
        await peer.waitAudio(5);
    } finally {
        peer.close();
    }
    const mine = (janus) => client.received.slice(from).filter((m) => m.janus === janus);
    await waitUntil(() => mine('webrtcup').length > 0, 'the webrtcup event');
    assert.deepEqual(mine('webrtcup'),
        [{ janus: 'webrtcup', session_id: sessionId, sender: handleId }]);
    for (const type of ['audio', 'video']) {
        const find = () => mine('media').find((m) => m.type === type && m.receiving === true);
        await waitUntil(find, () => `a media event for ${type} (${JSON.stringify(mine('media'))})`);
        const media = find();
        assert.equal(typeof media.mid, 'string');
        assert.deepEqual(media, { janus: 'media', session_id: sessionId, sender: handleId,
            mid: media.mid, type, receiving: true });
    }

    const ids = { session_id: sessionId, handle_id: handleId };
    const hangup = await client.request({ janus: 'hangup', ...ids });
    assert.equal(hangup.janus, 'success', JSON.stringify(hangup));
    const event = await client.waitFor((m) => m.janus === 'hangup' && m.sender === handleId,
        { from });
    assert.equal(event.session_id, sessionId);
    assert.equal(typeof event.reason, 'string');
    const detach = await client.request({ janus: 'detach', ...ids });
    assert.equal(detach.janus, 'success', JSON.stringify(detach));
    await client.destroy(sessionId);
}

test(`${CALLS} echo calls in a row leave the server as they found it`, async (t) => {
    const client = await JanusWs.connect(server.wsUrl);
    const baselineFds = server.fdCount();
    let referenceRss = 0;
    const started = Date.now();
    for (let i = 1; i <= CALLS; i++) {
        try {
            await oneCall(client);
        } catch (error) {
            error.message = `call ${i} of ${CALLS}: ${error.message}`;
            throw error;
        }
        if (i === WARM_UP) referenceRss = server.rssBytes();
        // The server must not be piling up connections: check now and then, not only at the end.
        if (i % 25 === 0) {
            await waitUntil(() => server.fdCount() <= baselineFds + FD_SLACK,
                () => `fds back near ${baselineFds} after ${i} calls (now ${server.fdCount()})`,
                10000, 100);
        }
        client.received.length = 0; // keep the record small over a long run
    }
    await client.close();
    await waitUntil(() => server.fdCount() <= baselineFds + FD_SLACK,
        () => `fds back to ${baselineFds} (+${FD_SLACK}) after ${CALLS} calls: ${server.fdCount()}`,
        15000, 200);
    const growth = server.rssBytes() - referenceRss;
    t.diagnostic(`${CALLS} calls in ${Date.now() - started} ms; resident size grew by ` +
        `${Math.round(growth / 1024)} KiB after call ${WARM_UP}; fds ${server.fdCount()} ` +
        `(baseline ${baselineFds})`);
    assert.ok(growth < RSS_GROWTH_LIMIT,
        `resident size grew by ${Math.round(growth / 1048576)} MiB over ${CALLS - WARM_UP} calls`);
});
