// The Streaming plugin's limits, crossed through janode: streaming.max_mountpoints (a create
// beyond is refused with 456) and streaming.max_viewers (a watch beyond is refused with 470, a
// WHEP POST to /whep/mountpoint with 503), while the mountpoint there and its viewer go on
// receiving video; a place freed is taken. The refusals are counted on the metrics page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitUntil } from './lib/peer.js';
import { freePort, startServer } from './lib/server.js';
import { connectJanode } from './lib/videoroom.js';
import { opusVp8Media, RtpSource, StreamHandle } from './lib/streaming.js';
import { whipError, whipPost } from './lib/whip.js';
import { WhepViewer } from './lib/whep_viewer.js';

const SIZE = { width: 320, height: 240 };

let server;
let metricsUrl;
let connection;
let admin;
const closers = [];

before(async () => {
    const adminPort = await freePort();
    server = await startServer({ PRISM_STREAMING_MAX_MOUNTPOINTS: '1',
        PRISM_STREAMING_MAX_VIEWERS: '1', PRISM_ADMIN_HTTP_ENABLED: 'true',
        PRISM_ADMIN_HTTP_PORT: String(adminPort) });
    metricsUrl = `http://127.0.0.1:${adminPort}/metrics`;
    connection = await connectJanode(server);
    admin = await StreamHandle.attach(await connection.create());
});

after(async () => {
    for (const close of closers.reverse()) close();
    await connection?.close().catch(() => {});
    await server?.stop();
});

async function createMountpoint() {
    return admin.request({ request: 'create', type: 'rtp', secret: 'adminpwd',
        media: opusVp8Media() });
}

async function info(id) {
    const { data } = await admin.request({ request: 'info', id, secret: 'adminpwd' });
    assert.equal(data.streaming, 'info', JSON.stringify(data));
    return data.info;
}

// A counter's value on the metrics page.
async function counter(name) {
    const page = await (await fetch(metricsUrl)).text();
    const line = page.split('\n').find((l) => l.startsWith(`${name} `));
    assert.ok(line, `${name} is on the page`);
    return Number(line.split(' ')[1]);
}

async function newViewer() {
    const viewer = await StreamHandle.attach(await connection.create());
    closers.push(() => viewer.close());
    return viewer;
}

let mountpoint;
let viewer;

test('a create beyond max_mountpoints is refused with 456; the mountpoint there goes on',
    async () => {
        const { data } = await createMountpoint();
        assert.equal(data.streaming, 'created', JSON.stringify(data));
        const { id, ports } = data.stream;
        const source = new RtpSource({ audioPort: ports[0].port, videoPort: ports[1].port,
            ...SIZE, keyframeEvery: 30 });
        closers.push(() => source.stop());
        mountpoint = { id };

        const { data: refused } = await createMountpoint();
        assert.equal(refused.error_code, 456, JSON.stringify(refused));
        assert.match(refused.error, /maximum number of mountpoints \(1\)/);
        const { data: listed } = await admin.request({ request: 'list' });
        assert.deepEqual(listed.list.map((m) => m.id), [id]);
        assert.equal(await counter('prism_streaming_mountpoints_refused_total'), 1);

        viewer = await newViewer();
        await viewer.watch(id);
        await viewer.peer.waitFrames('v', SIZE, 5);
    });

test('a watch beyond max_viewers is refused with 470; the viewer watching keeps its video',
    async () => {
        const late = await newViewer();
        const { data: refused } = await late.request({ request: 'watch', id: mountpoint.id });
        assert.equal(refused.error_code, 470, JSON.stringify(refused));
        assert.match(refused.error, /Maximum number of viewers \(1\)/);
        assert.equal((await info(mountpoint.id)).viewers, 1);
        assert.equal(await counter('prism_streaming_viewers_refused_total'), 1);
        // A WHEP viewer of the full mountpoint: 503 with the plugin's reason.
        const whep = await new WhepViewer(closers).offer();
        const full = await whipPost(`${server.origin}/whep/mountpoint/${mountpoint.id}`, whep);
        assert.equal(full.status, 503, full.body);
        assert.match(whipError(full).error, /Maximum number of viewers \(1\)/);
        assert.equal(await counter('prism_streaming_viewers_refused_total'), 2);
        const from = viewer.peer.framesSoFar('v');
        await viewer.peer.waitFrames('v', SIZE, 10, { from });
        assert.equal(viewer.ofType('hangup').length, 0);

        // The viewer stops: its place goes to the late one, who gets video.
        viewer.close();
        await viewer.request({ request: 'stop' });
        await waitUntil(async () => (await info(mountpoint.id)).viewers === 0,
            'the first viewer to stop');
        await late.watch(mountpoint.id);
        await late.peer.waitFrames('v', SIZE, 5);
    });

test('once the mountpoint is destroyed, another can be created', async () => {
    const { data: destroyed } = await admin.request({ request: 'destroy', id: mountpoint.id,
        secret: 'adminpwd' });
    assert.equal(destroyed.streaming, 'destroyed', JSON.stringify(destroyed));
    const { data } = await createMountpoint();
    assert.equal(data.streaming, 'created', JSON.stringify(data));
});
