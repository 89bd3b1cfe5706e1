// A mountpoint's viewers spread over both workers: with `streaming.spread_viewers = 2` the
// first two viewers of a mountpoint stay on its worker and the next ones go to the
// least-loaded worker, where the ingest packets arrive through the relay (media/relay), once
// per worker. GStreamer feeds two mountpoints with plain RTP (a keyframe only every 2 minutes,
// so a viewer on the other worker can only start from the kept keyframe its group was sent);
// six libwebrtc viewers (wrtc, through janode) must all decode video and audio, with
// PeerConnections on both workers (/metrics) and some viewers fed through the relay (the
// Admin API's handle_info). Then every viewer switches to the other mountpoint and back (its
// decoder's statistics show no error), pauses and resumes, a relayed viewer stops while the
// others on its worker go on, and destroying a mountpoint stops the viewers on both workers.
// Text sent to a data stream's port reaches its viewers on both workers as data channel
// messages. Last, with every 20th packet to the viewers dropped by Prism, a relayed viewer's
// NACKs are answered from its group's history.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import { waitUntil } from './lib/peer.js';
import { freePort, startServer } from './lib/server.js';
import { assertCleanSwitch, inboundStats, opusVp8Media, RtpSource, StreamHandle }
    from './lib/streaming.js';
import { connectJanode } from './lib/videoroom.js';

const VIEWERS = 6;
const SPREAD_AFTER = 2;
const BIG = { width: 320, height: 240 };
const SMALL = { width: 240, height: 160 };
const KEYFRAME_EVERY = 1800; // frames at 15 fps: 2 minutes
const ADMIN_SECRET = 'spread-admin-secret';

let server;
let connection;
let admin;
const closers = [];

// Two workers, and the Admin API on HTTP (its port kept as server.adminPort).
async function startSpreadServer(extra = {}) {
    const adminPort = await freePort();
    const started = await startServer({ PRISM_GENERAL_WORKERS: '2',
        PRISM_STREAMING_SPREAD_VIEWERS: String(SPREAD_AFTER),
        PRISM_GENERAL_ADMIN_SECRET: ADMIN_SECRET, PRISM_ADMIN_HTTP_ENABLED: 'true',
        PRISM_ADMIN_HTTP_PORT: String(adminPort), ...extra });
    started.adminPort = adminPort;
    return started;
}

before(async () => {
    server = await startSpreadServer();
    connection = await connectJanode(server);
    admin = await StreamHandle.attach(await connection.create());
});

after(async () => {
    for (const close of closers.reverse()) close();
    await connection?.close().catch(() => {});
    await server?.stop();
});

async function info(id, handle = admin) {
    const { data } = await handle.request({ request: 'info', id, secret: 'adminpwd' });
    assert.equal(data.streaming, 'info', JSON.stringify(data));
    return data.info;
}

const video = (mountpointInfo) => mountpointInfo.media.find((m) => m.mid === 'v');

// PeerConnections per worker, from the Prometheus page.
async function peersPerWorker() {
    const page = await (await fetch(`http://127.0.0.1:${server.adminPort}/metrics`)).text();
    const counts = [0, 0];
    for (const m of page.matchAll(/^prism_worker_peers\{worker="(\d+)"\} (\d+)/gm)) {
        counts[Number(m[1])] = Number(m[2]);
    }
    return counts;
}

// The viewer's state as the plugin reports it (Admin API handle_info): "relayed" when it is
// fed through the relay, on another worker than its mountpoint's.
async function pluginState(viewer, on = server) {
    const { handle } = viewer;
    const url = `http://127.0.0.1:${on.adminPort}/admin/${handle.session.id}/${handle.id}`;
    const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ janus: 'handle_info', transaction: `t${Date.now()}`,
            admin_secret: ADMIN_SECRET }),
    });
    const reply = await response.json();
    assert.equal(reply.janus, 'success', JSON.stringify(reply));
    return reply.info.plugin_specific;
}

async function feedMountpoint(manager, size, description) {
    const { data } = await manager.request({ request: 'create', type: 'rtp', description,
        secret: 'adminpwd', media: opusVp8Media() });
    assert.equal(data.streaming, 'created', JSON.stringify(data));
    const { id, ports } = data.stream;
    const source = new RtpSource({ audioPort: ports[0].port, videoPort: ports[1].port,
        ...size, keyframeEvery: KEYFRAME_EVERY });
    closers.push(() => source.stop());
    await waitUntil(async () => video(await info(id, manager)).keyframes >= 1,
        () => `a kept keyframe on mountpoint ${id} (pipeline: ${source.stderr || 'silent'})`,
        30000, 200);
    return { id, source };
}

const call = { first: null, second: null, viewers: [] };

test('six viewers of one mountpoint decode it on both workers', async () => {
    call.first = await feedMountpoint(admin, BIG, 'big');
    call.second = await feedMountpoint(admin, SMALL, 'small');
    const keyframes = video(await info(call.first.id)).keyframes;
    for (let i = 0; i < VIEWERS; i++) {
        // One after the other: the mountpoint counts its viewers as they come.
        const viewer = await StreamHandle.attach(await connection.create());
        closers.push(() => viewer.close());
        await viewer.watch(call.first.id);
        await viewer.peer.waitFrames('v', BIG, 5, { timeoutMs: 15000 });
        await viewer.peer.waitAudio('a', 20);
        viewer.relayed = (await pluginState(viewer)).relayed;
        call.viewers.push(viewer);
    }
    // The first frames of every viewer came from the kept keyframe (relayed to other workers).
    assert.equal(video(await info(call.first.id)).keyframes, keyframes,
        'the viewers waited for the encoder\'s next keyframe');
    assert.deepEqual(call.viewers.slice(0, SPREAD_AFTER).map((v) => v.relayed), [false, false],
        'the first viewers of a small mountpoint left its worker');
    const relayed = call.viewers.filter((v) => v.relayed).length;
    assert.ok(relayed >= 1, 'no viewer is fed through the relay');
    const peers = await peersPerWorker();
    assert.ok(peers[0] >= 1 && peers[1] >= 1, `PeerConnections per worker: ${peers.join(' / ')}`);
    assert.equal((await info(call.first.id)).viewers, VIEWERS);
});

test('every viewer switches mountpoint and back, on both workers', async () => {
    const keyframes = video(await info(call.second.id)).keyframes;
    for (const viewer of call.viewers) {
        viewer.beforeSwitch = await inboundStats(viewer, 'video');
        const from = viewer.peer.framesSoFar('v');
        const { data } = await viewer.request({ request: 'switch', id: call.second.id });
        assert.deepEqual(data.result, { switched: 'ok', id: call.second.id });
        await viewer.peer.waitFrames('v', SMALL, 5, { from, timeoutMs: 15000 });
    }
    assert.equal(video(await info(call.second.id)).keyframes, keyframes,
        'a switch waited for the encoder\'s next keyframe');
    assert.equal((await info(call.second.id)).viewers, VIEWERS);
    assert.equal((await info(call.first.id)).viewers, 0);
    for (const viewer of call.viewers) {
        const from = viewer.peer.framesSoFar('v');
        await viewer.request({ request: 'switch', id: call.first.id });
        await viewer.peer.waitFrames('v', BIG, 5, { from, timeoutMs: 15000 });
    }
    for (const viewer of call.viewers) {
        assert.equal(viewer.ofType('hangup').length, 0, 'a viewer was hung up');
        // Both switches went through the decoder without an error (libwebrtc's statistics).
        assertCleanSwitch(viewer.beforeSwitch, await inboundStats(viewer, 'video'),
            { switches: 2, decoded: 10 });
    }
});

test('every viewer pauses and resumes', async () => {
    for (const viewer of call.viewers) {
        const { data } = await viewer.request({ request: 'pause' });
        assert.equal(data.result.status, 'pausing');
    }
    for (const viewer of call.viewers) {
        const from = viewer.peer.framesSoFar('v');
        const { data } = await viewer.request({ request: 'start' });
        assert.equal(data.result.status, 'starting');
        await viewer.peer.waitFrames('v', BIG, 5, { from, timeoutMs: 15000 });
    }
});

test('a relayed viewer stops; the others on its worker go on', async () => {
    const leaving = call.viewers.find((v) => v.relayed);
    const from = leaving.messages.length;
    const { data } = await leaving.request({ request: 'stop' });
    assert.equal(data.result.status, 'stopping');
    await leaving.waitStatus('stopped', { from });
    leaving.close();
    call.viewers.splice(call.viewers.indexOf(leaving), 1);
    await waitUntil(async () => (await info(call.first.id)).viewers === VIEWERS - 1,
        'the viewer count to drop');
    for (const viewer of call.viewers) {
        const mark = viewer.peer.framesSoFar('v');
        await viewer.peer.waitFrames('v', BIG, 5, { from: mark, timeoutMs: 15000 });
    }
});

test('destroying the mountpoint stops its viewers on both workers', async () => {
    const marks = call.viewers.map((v) => v.messages.length);
    const { data } = await admin.request({ request: 'destroy', id: call.first.id,
        secret: 'adminpwd' });
    assert.deepEqual(data, { streaming: 'destroyed', id: call.first.id });
    for (const [i, viewer] of call.viewers.entries()) {
        await viewer.waitStatus('stopped', { from: marks[i] });
        await waitUntil(() => viewer.ofType('hangup', marks[i]).length > 0, 'a hangup');
    }
    call.first.source.stop();
    call.second.source.stop();
    for (const viewer of call.viewers) viewer.close();
});

test('a data stream\'s messages reach its viewers on both workers', async () => {
    const { data } = await admin.request({ request: 'create', type: 'rtp', secret: 'adminpwd',
        media: [{ type: 'data', mid: 'd', port: 0 }] });
    assert.equal(data.streaming, 'created', JSON.stringify(data));
    const viewers = [];
    // The first two stay on the mountpoint's worker; watch until one is fed through the relay.
    for (let i = 0; i < 5 && !viewers.some((v) => v.relayed); i++) {
        const viewer = await StreamHandle.attach(await connection.create());
        closers.push(() => viewer.close());
        await viewer.watch(data.stream.id);
        viewer.relayed = (await pluginState(viewer)).relayed;
        viewers.push(viewer);
    }
    assert.ok(viewers.some((v) => v.relayed), 'no data viewer on the other worker');
    const socket = dgram.createSocket('udp4');
    try {
        // Until a viewer's data channel is open, what is sent is not for it: send until all
        // have one.
        await waitUntil(() => {
            socket.send(Buffer.from('cue 42'), data.stream.ports[0].port, '127.0.0.1');
            return viewers.every((v) => v.peer.dataMessages.length > 0);
        }, 'a data channel message on every viewer', 15000, 100);
    } finally {
        socket.close();
    }
    for (const viewer of viewers) {
        const text = viewer.peer.dataMessages[0].data;
        assert.equal(typeof text === 'string' ? text : Buffer.from(text).toString(), 'cue 42');
        viewer.close();
    }
    await admin.request({ request: 'destroy', id: data.stream.id, secret: 'adminpwd' });
});

// Prism drops every 20th packet it sends on each m-line (media.simulate_loss_out): a viewer on
// the other worker NACKs, and the packets are resent from its group's history (relay.c), so the
// video keeps up with the encoder.
test('loss on the way out: a relayed viewer\'s NACKs are answered on its worker', async () => {
    const lossy = await startSpreadServer({ PRISM_MEDIA_SIMULATE_LOSS_OUT: '20',
        PRISM_STREAMING_SPREAD_VIEWERS: '1' });
    const conn = await connectJanode(lossy);
    const viewers = [];
    let source;
    try {
        const manager = await StreamHandle.attach(await conn.create());
        const fed = await feedMountpoint(manager, BIG, 'lossy');
        source = fed.source;
        let relayed = null;
        for (let i = 0; i < 3 && !relayed; i++) {
            const viewer = await StreamHandle.attach(await conn.create());
            viewers.push(viewer);
            await viewer.watch(fed.id);
            if ((await pluginState(viewer, lossy)).relayed) relayed = viewer;
        }
        assert.ok(relayed, 'no viewer was placed on the other worker');
        await relayed.peer.waitFrames('v', BIG, 5, { timeoutMs: 15000 });
        const from = relayed.peer.framesSoFar('v');
        const framesBefore = video(await info(fed.id, manager)).frames;
        await waitUntil(async () => video(await info(fed.id, manager)).frames - framesBefore >= 60,
            'the source to send 60 frames', 30000, 200);
        const sent = video(await info(fed.id, manager)).frames - framesBefore;
        const enough = () => relayed.peer.framesSoFar('v') - from >= 0.9 * sent;
        await waitUntil(async () => enough() ||
            video(await info(fed.id, manager)).frames - framesBefore >= sent + 30,
        'the frames or the source to send 30 frames more', 30000, 50);
        const decoded = relayed.peer.framesSoFar('v') - from;
        assert.ok(decoded >= 0.9 * sent, `only ${decoded} frames decoded of ${sent} sent`);
        const stats = (await relayed.peer.stats('inbound-rtp')).find((s) => s.kind === 'video');
        assert.ok(stats.nackCount > 0, `the viewer sent no NACK: ${JSON.stringify(stats)}`);
    } finally {
        source?.stop();
        for (const viewer of viewers) viewer.close();
        await conn.close().catch(() => {});
        await lossy.stop();
    }
});
