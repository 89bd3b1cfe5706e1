// GET /metrics on the Admin API's HTTP listener: the Prometheus page of a server carrying an
// echo call (libwebrtc through janode) and a VideoRoom publisher, linted by promtool and read
// for what an operator graphs: process figures, sessions, handles, PeerConnections by state,
// rooms and participants, each worker's packet counters and busy time, and the API requests by
// transport, verb and status with their latency histogram.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { attachEcho, connectJanode, negotiate } from './lib/echo.js';
import { EchoPeer, waitUntil } from './lib/peer.js';
import { REPO_ROOT, freePort, startServer } from './lib/server.js';
import { newRoomId, Participant, RoomHandle } from './lib/videoroom.js';

let server;
let metricsUrl;

before(async () => {
    const adminPort = await freePort();
    server = await startServer({
        PRISM_ADMIN_HTTP_ENABLED: 'true',
        PRISM_ADMIN_HTTP_PORT: String(adminPort),
        PRISM_GENERAL_WORKERS: '2',
        // A webhook nobody listens on: its counters are on the page too.
        PRISM_GENERAL_EVENT_WEBHOOK: `http://127.0.0.1:${await freePort()}/events`,
    });
    metricsUrl = `http://127.0.0.1:${adminPort}/metrics`;
});

after(async () => {
    await server?.stop();
});

async function scrape() {
    const response = await fetch(metricsUrl);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    return response.text();
}

// The samples of a family as [{labels, value}], from the text format.
function samples(page, name) {
    const found = [];
    for (const line of page.split('\n')) {
        const match = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/);
        if (!match || match[1] !== name) continue;
        const labels = Object.fromEntries([...(match[2] || '').matchAll(/(\w+)="([^"]*)"/g)]
            .map((m) => [m[1], m[2]]));
        found.push({ labels, value: Number(match[3]) });
    }
    return found;
}

const sum = (page, name) => samples(page, name).reduce((total, s) => total + s.value, 0);
const one = (page, name, labels = {}) => samples(page, name).find((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

test('the page passes promtool and counts calls, rooms, packets and requests', async () => {
    const idle = await scrape();
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: idle, encoding: 'utf8' });
    assert.equal(lint.status, 0, `promtool: ${lint.stdout}${lint.stderr}`);
    assert.equal(`${lint.stdout}${lint.stderr}`, '', 'promtool has remarks');
    assert.ok(one(idle, 'process_resident_memory_bytes') > 1e6);
    assert.ok(one(idle, 'process_open_fds') > 3);
    assert.ok(Math.abs(one(idle, 'process_start_time_seconds') - Date.now() / 1000) < 600);
    assert.equal(samples(idle, 'prism_worker_peers').length, 2, 'one sample per worker');
    assert.equal(one(idle, 'prism_sessions'), 0);

    const connection = await connectJanode(server);
    const session = await connection.create();
    const { handle, events } = await attachEcho(session);
    const peer = new EchoPeer();
    try {
        await negotiate(handle, events, peer);
        await peer.waitConnected();
        await peer.waitFrames(20);
        const admin = await RoomHandle.attach(session);
        const room = newRoomId();
        await admin.handle.create({ room });
        const alice = new Participant(session, { room, display: 'alice' });
        await alice.join();

        let page = '';
        await waitUntil(async () => {
            page = await scrape();
            return sum(page, 'prism_worker_rtp_packets_sent_total') > 100;
        }, () => `packets sent on the page:\n${page}`);
        assert.equal(one(page, 'prism_sessions'), 1);
        assert.equal(one(page, 'prism_handles'), 3);
        assert.equal(one(page, 'prism_peerconnections', { state: 'connected' }), 1);
        assert.equal(sum(page, 'prism_worker_peers'), 1);
        assert.ok(one(page, 'prism_videoroom_rooms') >= 1);
        assert.equal(one(page, 'prism_videoroom_participants', { role: 'publisher' }), 1);
        assert.ok(sum(page, 'prism_worker_rtp_packets_received_total') > 100);
        assert.ok(sum(page, 'prism_worker_rtp_bytes_sent_total') >
            sum(page, 'prism_worker_rtp_packets_sent_total') * 10);
        assert.ok(sum(page, 'prism_worker_rtcp_packets_sent_total') > 0);
        assert.ok(sum(page, 'prism_worker_busy_seconds_total') > 0);
        assert.equal(sum(page, 'prism_worker_srtp_errors_total'), 0);
        // janode talks WebSocket: its requests are counted by Janus verb and reply kind.
        assert.ok(one(page, 'prism_api_requests_total',
            { transport: 'websocket', verb: 'create', status: 'success' }) >= 1);
        assert.ok(one(page, 'prism_api_requests_total',
            { transport: 'websocket', verb: 'message' }) >= 1);
        // The scrapes themselves are HTTP GETs answered 200.
        assert.ok(one(page, 'prism_api_requests_total',
            { transport: 'http', verb: 'GET', status: '200' }) >= 1);
        assert.ok(one(page, 'prism_api_request_duration_seconds_count',
            { transport: 'websocket' }) >= 3);
        const lintBusy = spawnSync('promtool', ['check', 'metrics'], { input: page,
            encoding: 'utf8' });
        assert.equal(lintBusy.status, 0, `promtool: ${lintBusy.stdout}${lintBusy.stderr}`);

        await handle.detach();
        await waitUntil(async () => one(await scrape(), 'prism_peerconnections',
            { state: 'connected' }) === 0, 'the PeerConnection to be gone from the page');
        assert.equal(sum(await scrape(), 'prism_worker_peers'), 0);
    } finally {
        peer.close();
        await session.destroy().catch(() => {});
        await connection.close().catch(() => {});
    }
});

test('/metrics answers GET only, and only on its own path', async () => {
    const post = await fetch(metricsUrl, { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    const below = await fetch(`${metricsUrl}/x`);
    assert.equal(below.status, 404);
});

test('every metric the shipped Grafana dashboard queries is on the page', async () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs',
        'grafana-dashboard.json'), 'utf8'));
    const page = await scrape();
    const families = new Set([...page.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const queried = new Set();
    for (const panel of dashboard.panels) {
        for (const target of panel.targets) {
            for (const [name] of target.expr.matchAll(/\b(?:prism|process)_[a-z_]+/g))
                queried.add(name.replace(/_(bucket|sum|count)$/, ''));
        }
    }
    assert.ok(queried.size > 20, `only ${queried.size} metrics queried`);
    const missing = [...queried].filter((name) => !families.has(name));
    assert.deepEqual(missing, [], 'queried by the dashboard but not on the page');
});
