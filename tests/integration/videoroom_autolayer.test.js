// The automatic simulcast layer choice over a really constrained link: janus.js in headless
// Chromium publishes the fake camera at 1280x720 with `simulcast: true`, and a second page
// subscribes and asks for the automatic choice ("substream": -1). Unconstrained it keeps the
// top layer. Then the
// server's packets to that subscriber (UDP from its port to the subscriber's, on the
// namespace's loopback) go through an htb class of 300 kbit/s: the subscriber's transport-cc
// estimate falls and the server moves it to the lowest layer (320 wide) within 5 s (1.0-4.4 s
// measured): the estimate
// falls on the delay-based detector's overuse, the allocator moves down on that new estimate,
// and the keyframe repair re-sends what the full queue dropped (autolayer.c). When the
// limit is lifted, the subscriber's estimator probes the path (padding-only packets on the RTX
// stream, counted by Chromium's transport-cc feedback), the estimate grows past what the lowest
// layer sends, and the server moves it back up a layer at a time to the top (1280 wide) within
// 20 s. The same with VP9 SVC: the publisher sends one RTP stream with three spatial layers
// (janus.js `svc: 'L3T3_KEY'`), the subscriber asks for the automatic choice with
// "spatial_layer": -1 in its subscription, and the server moves it to spatial layer 0 (320 wide)
// behind the limit and back to layer 2 (1280 wide) once it is lifted. Needs `tc` (htb) in the
// test's network namespace.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { before, test } from 'node:test';
import { browserMissing } from './lib/browser.js';
import { waitUntil } from './lib/peer.js';
import { freePort } from './lib/server.js';
import { report, simulcastPageRig } from './lib/simulcast_page.js';
import { newRoomId, RoomHandle } from './lib/videoroom.js';

// The Admin API tells whether the subscriber's estimator probed (handle_info's bandwidth).
const ADMIN_SECRET = 'autolayer-admin';
const env = { PRISM_GENERAL_WORKERS: '1', PRISM_GENERAL_ADMIN_SECRET: ADMIN_SECRET,
    PRISM_ADMIN_HTTP_ENABLED: 'true' };
let adminUrl;
before(async () => { // before the rig's: it starts the server with `env`
    env.PRISM_ADMIN_HTTP_PORT = String(await freePort());
    adminUrl = `http://127.0.0.1:${env.PRISM_ADMIN_HTTP_PORT}/admin`;
});
const rig = simulcastPageRig(env, { beforeClose: () => unlimit() });
const openPage = rig.openPage;

async function adminRequest(path, janus) {
    const response = await fetch(`${adminUrl}${path}`, { method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ janus, transaction: `${janus}-${Date.now()}`,
            admin_secret: ADMIN_SECRET }) });
    assert.equal(response.status, 200);
    return response.json();
}

// The bandwidth probes of every PeerConnection on the server that has an estimator.
async function probesOnServer() {
    const probes = [];
    for (const session of (await adminRequest('', 'list_sessions')).sessions) {
        for (const handle of (await adminRequest(`/${session}`, 'list_handles')).handles) {
            const info = (await adminRequest(`/${session}/${handle}`, 'handle_info')).info;
            if (info?.webrtc?.bandwidth) probes.push(info.webrtc.bandwidth.probes);
        }
    }
    return probes;
}

// The server's packets from `port` to the subscriber's `clientPort` on loopback: through a
// 300 kbit/s class with a short queue; everything else unlimited (in single-port ICE the
// server's packets to the publisher leave from the same port: they are not on the
// subscriber's link).
const tc = (...args) => execFileSync('tc', args, { stdio: 'pipe' });
let limited = false;
function limit(port, clientPort) {
    unlimit(); // a test that failed while limited left its limit
    tc('qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '10');
    limited = true;
    tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit');
    tc('class', 'add', 'dev', 'lo', 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '300kbit',
        'ceil', '300kbit');
    tc('qdisc', 'add', 'dev', 'lo', 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', '50');
    tc('filter', 'add', 'dev', 'lo', 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
        'match', 'ip', 'protocol', '17', '0xff', 'match', 'ip', 'sport', String(port), '0xffff',
        'match', 'ip', 'dport', String(clientPort), '0xffff', 'flowid', '1:20');
    process.stderr.write(`[test] limit at ${new Date().toISOString()}\n`);
}
function unlimit() {
    if (limited) process.stderr.write(`[test] unlimit at ${new Date().toISOString()}\n`);
    if (limited) tc('qdisc', 'del', 'dev', 'lo', 'root');
    limited = false;
}
function tcMissing() {
    try {
        execFileSync('tc', ['qdisc', 'show', 'dev', 'lo'], { stdio: 'pipe' });
        return undefined;
    } catch {
        return 'tc is not available';
    }
}

test('a subscriber behind a 300 kbit/s link is moved to the lowest layer, and back up when the limit is lifted',
    { skip: browserMissing() ?? tcMissing() ?? false }, async (t) => {
        const admin = await RoomHandle.attach(await rig.connection.create());
        const room = newRoomId();
        await admin.handle.create({ room, videocodec: 'vp8' });
        const publisher = await openPage({ room: String(room), role: 'publisher' }, 'publisher');
        let published = null;
        await waitUntil(async () => {
            published = await report(publisher);
            assert.deepEqual(published.errors, []);
            return published.published && published.feedId &&
                published.layers.filter((l) => l.framesEncoded > 0).length === 3;
        }, async () => `three layers: ${JSON.stringify(await report(publisher))}`, 60000, 250);
        const subscriber = await openPage({ room: String(room), role: 'subscriber',
            feed: String(published.feedId) }, 'subscriber');
        let last = null;
        // `width` wide frames decoded, and `more` after the first (waited for, not timed).
        const decodes = async (width, timeout, more = 10) => {
            let start = null;
            const began = Date.now();
            await waitUntil(async () => {
                last = await report(subscriber);
                assert.deepEqual(last.errors, []);
                if (!last.video || last.video.width !== width) return false;
                start ??= last.video.framesDecoded;
                return last.video.framesDecoded >= start + more;
            }, async () => `${width} wide frames: ${JSON.stringify(last)}; publisher ` +
                `${JSON.stringify((await report(publisher)).layers)}`, timeout, 250);
            return (Date.now() - began) / 1000;
        };
        await decodes(1280, 45000);
        await subscriber.evaluate(() => window.configure(-1));
        await decodes(1280, 45000);
        t.diagnostic(`unconstrained: 1280 wide, substream events ${JSON.stringify(last.substreams)}`);
        assert.ok(last.clientPort, JSON.stringify(last));
        limit(last.serverPort, last.clientPort);
        // Behind the limit the lowest layer itself decodes haltingly (its keyframes queue up
        // behind the top layer's packets): one frame at 320 is enough, within 5 s of the limit.
        const down = await decodes(320, 5000, 0);
        t.diagnostic(`limited to 300 kbit/s: 320 wide after ${down.toFixed(1)} s; events ` +
            `${JSON.stringify(last.substreams)}; ${JSON.stringify(last.video)}`);
        assert.equal(last.substreams.at(-1), 0);
        unlimit();
        const up = await decodes(1280, 20000);
        t.diagnostic(`limit lifted: 1280 wide after ${up.toFixed(1)} s; events ` +
            `${JSON.stringify(last.substreams)}; ${JSON.stringify(last.video)}`);
        assert.equal(last.substreams.at(-1), 2);
        // The subscriber's estimator probed. The way up usually comes from a probe that
        // succeeded, but may also come from the allocator's own probe by upgrade (the estimate
        // sat well above what the lowest layer sends), so success is reported, not required.
        const probes = await probesOnServer();
        t.diagnostic(`probes: ${JSON.stringify(probes)}`);
        assert.ok(probes.some((p) => p.sent > 0), JSON.stringify(probes));
        // The next test limits the same server port: nothing of this one may share the link.
        await subscriber.close();
        await publisher.close();
    });

// AV1's layers come from the dependency descriptor, VP9's from its payload descriptor.
for (const codec of ['vp9', 'av1']) {
    test(`a subscriber of a ${codec} SVC stream with "spatial_layer": -1 is moved to spatial layer 0 behind a 300 kbit/s link, and back up when the limit is lifted`,
        { skip: browserMissing() ?? tcMissing() ?? false }, (t) => automaticSpatialLayer(t, codec));
}

async function automaticSpatialLayer(t, codec) {
    const admin = await RoomHandle.attach(await rig.connection.create());
    const room = newRoomId();
    await admin.handle.create({ room, videocodec: codec });
    const publisher = await openPage({ room: String(room), role: 'publisher',
        svc: 'L3T3_KEY' }, `publisher-${codec}`);
    let published = null;
    await waitUntil(async () => {
        published = await report(publisher);
        assert.deepEqual(published.errors, []);
        const layer = published.layers[0];
        return published.published && published.feedId && layer?.framesEncoded > 0 &&
            layer.width === 1280;
    }, async () => `1280x720 ${codec} SVC: ${JSON.stringify(await report(publisher))}`, 60000, 250);
    assert.equal(published.layers[0].mode, 'L3T3_KEY');
    const subscriber = await openPage({ room: String(room), role: 'subscriber',
        feed: String(published.feedId), spatial: '-1' }, `subscriber-${codec}`);
    let last = null;
    // `width` wide frames decoded on spatial layer `spatial` (the last "spatial_layer"
    // event), and `more` after the first (waited for, not timed).
    const decodes = async (width, spatial, timeout, more = 10) => {
        let start = null;
        const began = Date.now();
        await waitUntil(async () => {
            last = await report(subscriber);
            assert.deepEqual(last.errors, []);
            if (!last.video || last.video.width !== width ||
                last.spatialLayers.at(-1) !== spatial) return false;
            start ??= last.video.framesDecoded;
            return last.video.framesDecoded >= start + more;
        }, async () => `${width} wide frames on spatial layer ${spatial}: ` +
            `${JSON.stringify(last)}; publisher ${JSON.stringify((await report(publisher)).layers)}`,
        timeout, 250);
        return (Date.now() - began) / 1000;
    };
    await decodes(1280, 2, 45000);
    t.diagnostic(`unconstrained: 1280 wide, spatial_layer events ${JSON.stringify(last.spatialLayers)}`);
    // The server's "svc" object says the choice is automatic, with what each layer costs.
    const svcObject = async () => {
        await subscriber.evaluate(() => window.askStreams());
        let svc = null;
        await waitUntil(async () => {
            last = await report(subscriber);
            svc = last.streams?.find((s) => s.type === 'video')?.svc;
            return svc !== undefined && svc !== null;
        }, async () => `the svc object: ${JSON.stringify(last)}`, 10000, 100);
        return svc;
    };
    const svc = await svcObject();
    t.diagnostic(`svc object: ${JSON.stringify(svc)}`);
    assert.equal(svc.auto, true);
    assert.equal(svc['spatial-layer'], 2);
    const costs = svc['layer-bitrates'];
    assert.ok(costs[0] > 0 && costs[0] < costs[1] && costs[1] < costs[2], JSON.stringify(costs));
    assert.ok(last.clientPort, JSON.stringify(last));
    limit(last.serverPort, last.clientPort);
    const down = await decodes(320, 0, 5000, 0);
    t.diagnostic(`limited to 300 kbit/s: 320 wide after ${down.toFixed(1)} s; events ` +
        `${JSON.stringify(last.spatialLayers)}; ${JSON.stringify(last.video)}`);
    t.diagnostic(`svc object: ${JSON.stringify(await svcObject())}`);
    unlimit();
    const up = await decodes(1280, 2, 30000);
    t.diagnostic(`limit lifted: 1280 wide after ${up.toFixed(1)} s; events ` +
        `${JSON.stringify(last.spatialLayers)}; ${JSON.stringify(last.video)}`);
    const probes = await probesOnServer();
    t.diagnostic(`probes: ${JSON.stringify(probes)}`);
    await subscriber.close();
    await publisher.close();
}
