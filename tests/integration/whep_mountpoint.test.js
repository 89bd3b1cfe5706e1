// WHEP playback from a streaming mountpoint (POST /whep/mountpoint/{id}), fed the way issue 12
// asks: a VideoRoom publisher (libwebrtc through janode) with rtp_forward to the mountpoint's
// ports. A libwebrtc viewer (@roamhq/wrtc over fetch) and Chromium with web/whep.html decode
// it. The publisher sends keyframes only when asked and the mountpoint cannot ask (plain RTP),
// so a viewer that starts decoding without a new keyframe at the mountpoint got the kept one
// replayed. Also: PATCH (trickle), DELETE, 404, 415, 400 (no usable m-line, no BUNDLE), the
// mountpoint's pin as the Bearer (401 with WWW-Authenticate), ICE restart through PATCH, and
// NACKs of a WHEP viewer answered from the mountpoint's history under simulated loss.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { browserMissing, forwardConsole, launchBrowser, waitFor } from './lib/browser.js';
import { waitUntil } from './lib/peer.js';
import { startServer } from './lib/server.js';
import { assertViewerKeepsUp, fedMountpoint, opusVp8Media, StreamHandle }
    from './lib/streaming.js';
import { connectJanode, newRoomId, Participant, pluginData, RoomHandle } from './lib/videoroom.js';
import { whipDelete, whipError, whipPatch, whipPost } from './lib/whip.js';
import { WhepViewer } from './lib/whep_viewer.js';

const SIZE = { width: 160, height: 112 };
const PIN = 'mountpoint-pin';

let server;
let connection;
let rooms;
let streaming;
let mountpoint; // {id, ports}, fed by the publisher below
const cleanups = [];

before(async () => {
    server = await startServer();
    connection = await connectJanode(server);
    rooms = await RoomHandle.attach(await connection.create());
    streaming = await StreamHandle.attach(await connection.create());
});

after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await connection?.close().catch(() => {});
    await server?.stop();
});

async function createMountpoint(extra = {}) {
    const { data } = await streaming.request({ request: 'create', type: 'rtp',
        media: opusVp8Media(), ...extra });
    assert.equal(data.streaming, 'created', JSON.stringify(data));
    return { id: data.stream.id, ports: data.stream.ports };
}

async function videoInfo(id) {
    const { data } = await streaming.request({ request: 'info', id });
    assert.equal(data.streaming, 'info', JSON.stringify(data));
    return data.info.media.find((m) => m.mid === 'v');
}

// A VideoRoom publisher whose audio and video are forwarded to the mountpoint's ports with the
// mountpoint's payload types.
async function feedFromRoom(target) {
    const room = newRoomId();
    const created = pluginData(await rooms.handle.message({ request: 'create', room }));
    assert.equal(created?.videoroom, 'created', JSON.stringify(created));
    const participant = new Participant(await connection.create(), { room, display: 'source',
        ...SIZE, fps: 15 });
    cleanups.push(async () => participant.close());
    await participant.joinAndPublish();
    await participant.peer.waitConnected();
    const mid = (type) => participant.configured.streams.find((s) => s.type === type).mid;
    const port = (type) => target.ports.find((p) => p.type === type).port;
    const forwarded = pluginData(await rooms.handle.message({ request: 'rtp_forward', room,
        publisher_id: participant.feed, host: '127.0.0.1', streams: [
            { mid: mid('audio'), port: port('audio'), pt: 111 },
            { mid: mid('video'), port: port('video'), pt: 96 }] }));
    assert.equal(forwarded?.videoroom, 'rtp_forward', JSON.stringify(forwarded));
    assert.equal(forwarded.forwarders.length, 2);
    await waitUntil(async () => (await videoInfo(target.id)).keyframes >= 1,
        `a kept keyframe on mountpoint ${target.id}`, 30000, 200);
    return participant;
}

// Waits until the publisher is past its start (where it sends keyframes of its own: the first,
// and those the forwarder's start asked for): 30 frames in a row at the mountpoint without one.
async function waitKeyframesSettled(id) {
    let window = await videoInfo(id);
    await waitUntil(async () => {
        const now = await videoInfo(id);
        if (now.keyframes !== window.keyframes) window = now;
        return now.frames >= window.frames + 30;
    }, `30 frames without a keyframe on mountpoint ${id}`, 30000, 100);
}

const endpoint = (id, query = '') => `${server.origin}/whep/mountpoint/${id}${query}`;

test('a libwebrtc WHEP viewer decodes a room publisher forwarded to a mountpoint', async () => {
    mountpoint = await createMountpoint({ description: 'forwarded from a room' });
    await feedFromRoom(mountpoint);
    await waitKeyframesSettled(mountpoint.id);
    const keyframesBefore = (await videoInfo(mountpoint.id)).keyframes;

    const viewer = new WhepViewer(cleanups);
    const answer = await viewer.play(endpoint(mountpoint.id));
    assert.equal(answer.status, 201, answer.body);
    assert.match(viewer.location, /^\/whep\/resource\/\d+$/);
    assert.ok(answer.headers.get('etag'));
    assert.equal(answer.headers.get('content-type'), 'application/sdp');
    const kinds = [...answer.body.matchAll(/^m=(\w+) /gm)].map((m) => m[1]);
    assert.deepEqual(kinds, ['audio', 'video']);
    assert.equal([...answer.body.matchAll(/^a=sendonly/gm)].length, 2);
    assert.match(answer.body, /^a=rtpmap:\d+ VP8\/90000/m);
    assert.match(answer.body, /^a=rtpmap:\d+ opus\/48000\/2/m);
    await viewer.waitFrames(SIZE, 1);
    // The first frame came without a new keyframe at the mountpoint: the kept one was replayed.
    assert.equal((await videoInfo(mountpoint.id)).keyframes, keyframesBefore,
        'the publisher sent a new keyframe: the replay was not what started the viewer');
    await viewer.waitFrames(SIZE, 30);
    await waitUntil(() => viewer.audioCallbacks >= 50, 'audio at the viewer', 15000);
    const [inbound] = await viewer.inboundVideo();
    assert.ok(inbound.framesDecoded >= 30, JSON.stringify(inbound));

    const resource = `${server.origin}${viewer.location}`;
    assert.equal((await whipPatch(resource, 'a=end-of-candidates\r\n')).status, 204);
    assert.equal((await whipDelete(resource)).status, 200);
    assert.equal((await whipDelete(resource)).status, 404);
    await waitUntil(async () => {
        const { data } = await streaming.request({ request: 'info', id: mountpoint.id });
        return data.info.viewers === 0;
    }, 'the viewer to leave the mountpoint');
});

test('an ICE restart through PATCH keeps the viewer playing', async () => {
    const viewer = new WhepViewer(cleanups);
    const answer = await viewer.play(endpoint(mountpoint.id));
    assert.equal(answer.status, 201, answer.body);
    await viewer.waitFrames(SIZE, 10);
    viewer.pc.restartIce();
    const offer = await viewer.offer();
    const ufrag = /^a=ice-ufrag:(.*)$/m.exec(offer)[1].trim();
    const pwd = /^a=ice-pwd:(.*)$/m.exec(offer)[1].trim();
    const candidates = [...offer.matchAll(/^a=candidate:.*$/gm)].map((m) => m[0]).join('\r\n');
    const fragment = `a=ice-ufrag:${ufrag}\r\na=ice-pwd:${pwd}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n`
        + `a=mid:0\r\n${candidates}\r\na=end-of-candidates\r\n`;
    const restarted = await whipPatch(`${server.origin}${viewer.location}`, fragment,
        { etag: answer.headers.get('etag') });
    assert.equal(restarted.status, 200, restarted.body);
    assert.equal(restarted.headers.get('content-type'), 'application/trickle-ice-sdpfrag');
    const newUfrag = /^a=ice-ufrag:(.*)$/m.exec(restarted.body)[1].trim();
    const newPwd = /^a=ice-pwd:(.*)$/m.exec(restarted.body)[1].trim();
    const remote = viewer.pc.remoteDescription.sdp
        .replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${newUfrag}`)
        .replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${newPwd}`);
    await viewer.pc.setRemoteDescription({ type: 'answer', sdp: remote });
    for (const line of restarted.body.split('\r\n')) {
        if (line.startsWith('a=candidate:')) {
            await viewer.pc.addIceCandidate({ candidate: line.slice(2), sdpMLineIndex: 0 });
        }
    }
    assert.ok(restarted.headers.get('etag') && restarted.headers.get('etag') !==
        answer.headers.get('etag'));
    await viewer.waitFrames(SIZE, 30);
    assert.equal((await whipDelete(`${server.origin}${viewer.location}`)).status, 200);
});

test('bad requests: unknown mountpoint, not SDP, no BUNDLE, no usable m-line', async () => {
    const viewer = new WhepViewer(cleanups);
    const offer = await viewer.offer();
    const unknown = await whipPost(endpoint(987654321), offer);
    assert.equal(unknown.status, 404, unknown.body);
    assert.match(whipError(unknown).error, /no such mountpoint/i);
    assert.equal((await whipPost(endpoint(mountpoint.id), offer, { type: 'text/plain' })).status,
        415);
    const unbundled = await whipPost(endpoint(mountpoint.id),
        offer.replace(/^a=group:BUNDLE.*\r\n/m, ''));
    assert.equal(unbundled.status, 400, unbundled.body);
    assert.match(whipError(unbundled).error, /BUNDLE/);
    // Only H.264 offered for video and only PCMU for audio: nothing the mountpoint carries.
    const noCodec = offer
        .replace(/^(m=audio \d+ \S+) .*$/m, '$1 0')
        .replace(/^(m=video \d+ \S+) .*$/m, '$1 127')
        .replace(/^a=rtpmap:(?!0 ).*\r\n/gm, '')
        .replace(/^a=(fmtp|rtcp-fb):.*\r\n/gm, '')
        .replace(/^(a=mid:1\r\n)/m, '$1a=rtpmap:127 H264/90000\r\n');
    const refused = await whipPost(endpoint(mountpoint.id), noCodec);
    assert.equal(refused.status, 400, refused.body);
    assert.match(whipError(refused).error, /no recvonly audio or video m-line/i);
    assert.equal((await whipPost(`${server.origin}/whip/mountpoint/${mountpoint.id}`, offer))
        .status, 404);
    // Prism is still fine: a good offer plays.
    const good = new WhepViewer(cleanups);
    const answer = await good.play(endpoint(mountpoint.id));
    assert.equal(answer.status, 201, answer.body);
    await good.waitFrames(SIZE, 5);
    assert.equal((await whipDelete(`${server.origin}${good.location}`)).status, 200);
});

test('a mountpoint with a pin takes it as the Bearer token', async () => {
    const locked = await createMountpoint({ pin: PIN });
    const missing = await new WhepViewer(cleanups).play(endpoint(locked.id));
    assert.equal(missing.status, 401, missing.body);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    assert.match(whipError(missing).error, /unauthorized/i);
    const wrong = await new WhepViewer(cleanups).play(endpoint(locked.id), { token: 'nope' });
    assert.equal(wrong.status, 401, wrong.body);
    const right = new WhepViewer(cleanups);
    const answer = await right.play(endpoint(locked.id), { token: PIN });
    assert.equal(answer.status, 201, answer.body);
    // ?pin= does as well.
    const query = await new WhepViewer(cleanups).play(endpoint(locked.id, `?pin=${PIN}`));
    assert.equal(query.status, 201, query.body);
    assert.equal((await whipDelete(`${server.origin}${right.location}`)).status, 200);
});

test('web/whep.html plays a mountpoint in Chromium', { skip: browserMissing() || false },
    async () => {
        const browser = await launchBrowser();
        cleanups.push(async () => browser.close());
        const page = await (await browser.newContext()).newPage();
        forwardConsole(page, 'whep.html');
        await page.goto(`${server.origin}/whep.html?mountpoint=${mountpoint.id}&autoplay`);
        const playing = await waitFor('the WHEP page to decode the mountpoint',
            async () => page.evaluate(async () => {
                const pc = window.prism?.pc;
                const video = document.getElementById('video');
                let decoded = 0;
                for (const stats of pc ? (await pc.getStats()).values() : []) {
                    if (stats.type === 'inbound-rtp' && stats.kind === 'video') {
                        decoded = stats.framesDecoded;
                    }
                }
                const error = document.querySelector('[role="alert"]').textContent;
                return error ? { error } : (decoded > 10 && video.videoWidth === 160
                    ? { decoded, endpoint: document.getElementById('endpoint').textContent }
                    : null);
            }), 60000);
        assert.equal(playing.error, undefined, playing.error);
        assert.match(playing.endpoint, new RegExp(`/whep/mountpoint/${mountpoint.id}$`));
        await page.click('#stop');
        await waitFor('the page to stop', async () => page.evaluate(() => !window.prism.pc));
        await waitUntil(async () => {
            const { data } = await streaming.request({ request: 'info', id: mountpoint.id });
            return data.info.viewers === 0;
        }, 'the page\'s viewer to leave the mountpoint');
    });

// 5% of the packets to the viewer dropped by Prism (media.simulate_loss_out = 20): the WHEP
// viewer NACKs, the mountpoint's history answers (the watch viewers' code), and the video keeps
// up with the source (unrepaired, about 25 frames of 60 decode).
test('NACKs of a WHEP viewer are answered from the mountpoint\'s history', async () => {
    const BIG = { width: 320, height: 240 };
    const lossy = await startServer({ PRISM_MEDIA_SIMULATE_LOSS_OUT: '20' });
    const conn = await connectJanode(lossy);
    let source;
    try {
        const manager = await StreamHandle.attach(await conn.create());
        const fed = await fedMountpoint(manager, BIG);
        source = fed.source;
        const viewer = new WhepViewer(cleanups);
        const answer = await viewer.play(`${lossy.origin}/whep/mountpoint/${fed.id}`);
        assert.equal(answer.status, 201, answer.body);
        assert.match(answer.body, /^a=rtpmap:\d+ rtx\/90000/m, 'RTX answered for the resends');
        await viewer.waitFrames(BIG, 5);
        await assertViewerKeepsUp(fed.video, () => viewer.count(BIG));
        const [stats] = await viewer.inboundVideo();
        assert.ok(stats.nackCount > 0, `the viewer sent no NACK: ${JSON.stringify(stats)}`);
        viewer.close();
    } finally {
        source?.stop();
        await conn.close().catch(() => {});
        await lossy.stop();
    }
});
