// Peers that vanish mid-call without hangup, detach or destroy: one closes its PeerConnection
// and drops its WebSocket without a close frame, another is a process killed with SIGKILL. The
// server must reclaim the session once the reclaim timeout passes (458 for its id afterwards),
// give back the call's sockets, and go on serving new calls.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { rawNegotiate } from './lib/echo.js';
import { EchoPeer, waitUntil } from './lib/peer.js';
import { sleep, startServer } from './lib/server.js';
import { JanusWs } from './lib/ws.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RECLAIM_S = 3;
// Janus checks its sessions every 2 s; any request on a session counts as activity there, so
// the probe waits past the reclaim timeout before asking, and asks rarely.
const PROBE_EVERY_MS = (RECLAIM_S + 3) * 1000;
const FD_SLACK = 2;

let server;
let baselineFds;

before(async () => {
    server = await startServer({ PRISM_GENERAL_RECLAIM_SESSION_TIMEOUT: String(RECLAIM_S) });
    baselineFds = server.fdCount();
});

after(async () => {
    await server?.stop();
});

// Resolves once `sessionId` answers 458, probing from a fresh client every PROBE_EVERY_MS.
async function waitSessionGone(sessionId, tries = 3) {
    const watcher = await JanusWs.connect(server.wsUrl);
    try {
        let reply;
        for (let i = 0; i < tries; i++) {
            await sleep(PROBE_EVERY_MS);
            reply = await watcher.request({ janus: 'keepalive', session_id: sessionId });
            if (reply.janus === 'error') break;
        }
        assert.equal(reply.janus, 'error',
            `session ${sessionId} still answers ${JSON.stringify(reply)} ` +
            'long after its peer vanished');
        assert.equal(reply.error.code, 458);
    } finally {
        await watcher.close();
    }
}

async function waitFdsBack() {
    await waitUntil(() => server.fdCount() <= baselineFds + FD_SLACK,
        () => `the server's fds to come back to ${baselineFds} (+${FD_SLACK}): ${server.fdCount()}`,
        15000, 200);
}

// A plain echo call that must work: frames and audio back, then a clean hangup and destroy.
async function checkNewCallWorks() {
    const client = await JanusWs.connect(server.wsUrl);
    const sessionId = await client.create();
    const handleId = await client.attach(sessionId);
    const peer = new EchoPeer({ dataChannel: false });
    try {
        await rawNegotiate(client, sessionId, handleId, peer);
        await peer.waitConnected();
        await peer.waitFrames(20);
        await peer.waitAudio(20);
    } finally {
        peer.close();
    }
    await client.destroy(sessionId);
    await client.close();
}

test('a peer that drops its PeerConnection and WebSocket is reclaimed', async () => {
    const client = await JanusWs.connect(server.wsUrl);
    const sessionId = await client.create();
    const handleId = await client.attach(sessionId);
    const peer = new EchoPeer({ dataChannel: false });
    try {
        await rawNegotiate(client, sessionId, handleId, peer);
        await peer.waitConnected();
        await peer.waitFrames(20);
        const webrtcup = await client.waitFor((m) => m.janus === 'webrtcup');
        assert.deepEqual(webrtcup, { janus: 'webrtcup', session_id: sessionId, sender: handleId });
        assert.ok(server.fdCount() > baselineFds, 'the call holds no socket of its own');
    } finally {
        // No hangup, no detach, no destroy, no close frame.
        peer.close();
        client.socket.terminate();
    }
    await waitSessionGone(sessionId);
    await waitFdsBack();
    await checkNewCallWorks();
});

test('a peer process killed mid-call is reclaimed', async () => {
    const child = spawn(process.execPath, [path.join(HERE, 'peers', 'wrtc_echo_child.js'),
        server.wsUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal)));
    let line = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => (line += chunk));
    try {
        await waitUntil(() => line.includes('\n') || child.exitCode !== null,
            'the child peer to report its call', 30000);
    } catch (error) {
        child.kill('SIGKILL');
        throw error;
    }
    const call = JSON.parse(line);
    assert.ok(call.frames >= 20);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    await waitSessionGone(call.session);
    await waitFdsBack();
    await checkNewCallWorks();
});
