// Media through janus.plugin.streaming: GStreamer pipelines send plain RTP (a VP8 test pattern
// and an Opus tone) to mountpoints created through the API; libwebrtc viewers driven by janode
// watch them and decode. A late viewer starts from the kept keyframe (the encoder sends one
// only every 2 minutes here), a viewer switches between mountpoints (its decoder's statistics
// show no error), configure stops and resumes one stream, RTP garbage and oversized
// datagrams on a mountpoint's port are counted and dropped without disturbing anyone, and
// destroying a mountpoint stops its viewers.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import { waitUntil } from './lib/peer.js';
import { againstJanus, startServer } from './lib/server.js';
import { connectJanode } from './lib/videoroom.js';
import { assertCleanSwitch, assertViewerKeepsUp, fedMountpoint, inboundStats as inbound,
    opusVp8Media, RtpSource, StreamHandle } from './lib/streaming.js';

const BIG = { width: 320, height: 240 };
const SMALL = { width: 240, height: 160 };
const KEYFRAME_EVERY = 1800; // frames at 15 fps: 2 minutes

let server;
let connection;
let admin;
const closers = [];

before(async () => {
    server = await startServer();
    connection = await connectJanode(server);
    admin = await StreamHandle.attach(await connection.create());
});

after(async () => {
    for (const close of closers.reverse()) close();
    await connection?.close().catch(() => {});
    await server?.stop();
});

async function info(id) {
    const { data } = await admin.request({ request: 'info', id, secret: 'adminpwd' });
    assert.equal(data.streaming, 'info', JSON.stringify(data));
    return data.info;
}

function streamOf(mountpointInfo, mid) {
    return mountpointInfo.media.find((m) => m.mid === mid);
}

// Resolves once the viewer's `kind` packets stop arriving and, for video, the last frames are
// out of the decoder (two reads 500 ms apart agree; waitUntil's first, immediate, call only
// reads).
async function waitStopped(viewer, kind) {
    const read = async () => {
        const stats = await inbound(viewer, kind);
        const frames = kind === 'video' ? viewer.peer.framesSoFar('v') : 0;
        return `${stats.packetsReceived}/${stats.framesDecoded}/${frames}`;
    };
    let last = null;
    await waitUntil(async () => {
        const now = await read();
        const still = now === last;
        last = now;
        return still;
    }, `${kind} to stop arriving`, 10000, 500);
}

// Creates an Opus + VP8 mountpoint and starts a pipeline feeding it; resolves once its first
// keyframe was kept.
async function feedMountpoint(size, description) {
    const { data } = await admin.request({ request: 'create', type: 'rtp', description,
        secret: 'adminpwd', media: opusVp8Media() });
    assert.equal(data.streaming, 'created', JSON.stringify(data));
    const { id, ports } = data.stream;
    assert.deepEqual(ports.map((p) => [p.type, p.mid]), [['audio', 'a'], ['video', 'v']]);
    for (const port of ports) assert.ok(port.port > 0, `a port was picked: ${JSON.stringify(port)}`);
    const source = new RtpSource({ audioPort: ports[0].port, videoPort: ports[1].port,
        ...size, keyframeEvery: KEYFRAME_EVERY });
    closers.push(() => source.stop());
    await waitUntil(async () => streamOf(await info(id), 'v').keyframes >= 1,
        () => `a kept keyframe on mountpoint ${id} (pipeline: ${source.stderr || 'silent'})`,
        30000, 200);
    return { id, ports, source };
}

async function newViewer() {
    const viewer = await StreamHandle.attach(await connection.create());
    closers.push(() => viewer.close());
    return viewer;
}

let first;
let second;

test('list and info describe an RTP mountpoint created through the API', async () => {
    first = await feedMountpoint(BIG, 'big pattern');
    const { data } = await admin.request({ request: 'list' });
    const listed = data.list.find((m) => m.id === first.id);
    assert.ok(listed, JSON.stringify(data));
    assert.equal(listed.description, 'big pattern');
    assert.equal(listed.enabled, true);
    assert.deepEqual(listed.media.map((m) => m.type), ['audio', 'video']);
    const details = await info(first.id);
    assert.equal(details.viewers, 0);
    assert.equal(streamOf(details, 'v').codec, 'VP8');
    assert.equal(streamOf(details, 'v').port, first.ports[1].port);
    assert.ok(streamOf(details, 'a').packets > 0, 'Opus arrives');
    // Without the secret, no ports or counters.
    const { data: open } = await admin.request({ request: 'info', id: first.id });
    assert.equal(open.info.media[1].port, undefined);
});

test('late viewers decode video and audio at once from the kept keyframe', async () => {
    const keyframesBefore = streamOf(await info(first.id), 'v').keyframes;
    const viewers = [await newViewer(), await newViewer()];
    for (const viewer of viewers) {
        const from = viewer.messages.length;
        const offer = await viewer.watch(first.id);
        assert.match(offer.sdp, /a=sendonly/);
        assert.match(offer.sdp, /VP8\/90000/);
        const connectedAt = Date.now();
        await viewer.waitStatus('started', { from });
        await viewer.peer.waitFrames('v', BIG, 1, { timeoutMs: 10000 });
        // Measured from when we saw the PeerConnection up (polled, so up to 50 ms late).
        const firstFrame = viewer.peer.byMid.get('v').frames[0].at - connectedAt;
        assert.ok(firstFrame <= 500, `the first frame came ${firstFrame} ms after connecting`);
    }
    // The encoder has not sent another keyframe: the first frames came from the kept one.
    assert.equal(streamOf(await info(first.id), 'v').keyframes, keyframesBefore,
        'the first frames arrived before the encoder\'s next keyframe');
    for (const viewer of viewers) {
        await viewer.peer.waitFrames('v', BIG, 20, { timeoutMs: 15000 });
        await viewer.peer.waitAudio('a', 50);
    }
    assert.equal((await info(first.id)).viewers, 2);
    first.viewer = viewers[0];
    viewers[1].close();
    await viewers[1].request({ request: 'stop' });
    await waitUntil(async () => (await info(first.id)).viewers === 1, 'the second viewer to stop');
});

test('RTP garbage and oversized datagrams on a mountpoint port are counted and dropped',
    async () => {
        const before = streamOf(await info(first.id), 'v');
        const framesBefore = first.viewer.peer.framesSoFar('v');
        const socket = dgram.createSocket('udp4');
        const send = (buffer) => new Promise((resolve, reject) => socket.send(buffer,
            first.ports[1].port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
        for (let i = 0; i < 50; i++) {
            await send(Buffer.from(`not rtp at all ${i}`)); // version bits are not 2
            const wrongPt = Buffer.alloc(100, 7);
            wrongPt[0] = 0x80;
            wrongPt[1] = 33; // payload type 33, not the stream's 96
            await send(wrongPt);
            await send(Buffer.alloc(3000, 0x80)); // over 1500 bytes
        }
        socket.close();
        await waitUntil(async () => {
            const now = streamOf(await info(first.id), 'v');
            return now.dropped_invalid >= before.dropped_invalid + 100 &&
                now.dropped_oversize >= before.dropped_oversize + 50;
        }, 'the garbage to be counted', 10000, 100);
        await first.viewer.peer.waitFrames('v', BIG, 20, { from: framesBefore });
    });

test('switch moves a viewer to another mountpoint without renegotiation', async () => {
    second = await feedMountpoint(SMALL, 'small pattern');
    const viewer = first.viewer;
    const keyframesBefore = streamOf(await info(second.id), 'v').keyframes;
    const from = viewer.peer.framesSoFar('v');
    const before = await inbound(viewer, 'video');
    const { data } = await viewer.request({ request: 'switch', id: second.id });
    assert.deepEqual(data.result, { switched: 'ok', id: second.id });
    await viewer.peer.waitFrames('v', SMALL, 20, { from });
    // The decoder took the switch without an error (its libwebrtc statistics).
    assertCleanSwitch(before, await inbound(viewer, 'video'));
    assert.equal(streamOf(await info(second.id), 'v').keyframes, keyframesBefore,
        'the switch did not wait for the encoder\'s next keyframe');
    assert.equal((await info(first.id)).viewers, 0);
    assert.equal((await info(second.id)).viewers, 1);
    assert.equal(viewer.ofType('hangup').length, 0);
    // A mountpoint with other streams is refused, and the viewer stays where it is.
    const { data: audioOnly } = await admin.request({ request: 'create', type: 'rtp',
        secret: 'adminpwd', media: [opusVp8Media()[0]] });
    const { data: refused } = await viewer.request({ request: 'switch',
        id: audioOnly.stream.id });
    assert.equal(refused.error_code, 458, JSON.stringify(refused));
    assert.equal((await info(second.id)).viewers, 1);
    // And back: the decoder follows with the first size again.
    const back = viewer.peer.framesSoFar('v');
    await viewer.request({ request: 'switch', id: first.id });
    await viewer.peer.waitFrames('v', BIG, 10, { from: back });
});

test('pause stops the media and start resumes it', async () => {
    const viewer = first.viewer;
    const { data: paused } = await viewer.request({ request: 'pause' });
    assert.equal(paused.result.status, 'pausing');
    await waitStopped(viewer, 'video');
    const from = viewer.peer.framesSoFar('v');
    const { data: started } = await viewer.request({ request: 'start' });
    assert.equal(started.result.status, 'starting');
    await viewer.peer.waitFrames('v', BIG, 10, { from });
});

test('configure send: false stops one stream while the other flows; send: true resumes it',
    async () => {
        const viewer = first.viewer;
        const { data: configured } = await viewer.request({ request: 'configure', mid: 'v',
            send: false });
        assert.equal(configured.result.event, 'configured', JSON.stringify(configured));
        await waitStopped(viewer, 'video');
        // While 100 audio packets (2 s of Opus) arrive, not one video packet or frame does.
        const frames = viewer.peer.framesSoFar('v');
        const video = await inbound(viewer, 'video');
        const audio = (await inbound(viewer, 'audio')).packetsReceived;
        await waitUntil(async () => (await inbound(viewer, 'audio')).packetsReceived >= audio + 100,
            'audio to keep arriving without the video', 10000, 100);
        assert.equal(viewer.peer.framesSoFar('v'), frames, 'video frames while not sent');
        const stillVideo = await inbound(viewer, 'video');
        assert.equal(stillVideo.packetsReceived, video.packetsReceived);
        assert.equal(stillVideo.framesDecoded, video.framesDecoded);

        const { data: resumed } = await viewer.request({ request: 'configure', mid: 'v',
            send: true });
        assert.equal(resumed.result.event, 'configured', JSON.stringify(resumed));
        await viewer.peer.waitFrames('v', BIG, 20, { from: frames });
        assert.ok((await inbound(viewer, 'video')).framesDecoded >= video.framesDecoded + 20);

        // The same for the audio, while the video goes on.
        await viewer.request({ request: 'configure', mid: 'a', send: false });
        await waitStopped(viewer, 'audio');
        const audioStopped = (await inbound(viewer, 'audio')).packetsReceived;
        await viewer.peer.waitFrames('v', BIG, 20, { from: viewer.peer.framesSoFar('v') });
        assert.equal((await inbound(viewer, 'audio')).packetsReceived, audioStopped,
            'audio packets while not sent');
        await viewer.request({ request: 'configure', mid: 'a', send: true });
        await waitUntil(async () => (await inbound(viewer, 'audio')).packetsReceived >=
            audioStopped + 50, 'audio to resume', 10000, 100);
    });

test('a viewer watches one stream only, stops, and watches again on the same handle', async () => {
    const viewer = await newViewer();
    const offer = await viewer.watch(first.id, { media: ['v'] });
    assert.equal(offer.sdp.match(/^m=/gm).length, 1, offer.sdp);
    assert.match(offer.sdp, /^m=video /m);
    await viewer.peer.waitFrames('v', BIG, 5);
    const from = viewer.messages.length;
    const { data } = await viewer.request({ request: 'stop' });
    assert.equal(data.result.status, 'stopping');
    await viewer.waitStatus('stopped', { from });
    viewer.peer.close();
    const again = await viewer.watch(first.id);
    assert.equal(again.sdp.match(/^m=/gm).length, 2, again.sdp);
    await viewer.peer.waitFrames('v', BIG, 5);
    await viewer.peer.waitAudio('a', 20);
    const { data: twice } = await viewer.request({ request: 'watch', id: first.id });
    assert.equal(twice.error_code, 460, JSON.stringify(twice));
    viewer.close();
    await viewer.request({ request: 'stop' });
});

test('text sent to a data stream\'s port reaches the viewers on a data channel', async () => {
    const { data } = await admin.request({ request: 'create', type: 'rtp', secret: 'adminpwd',
        media: [{ type: 'data', mid: 'd', port: 0 }] });
    assert.equal(data.streaming, 'created', JSON.stringify(data));
    const port = data.stream.ports[0].port;
    assert.equal(data.stream.ports[0].type, 'data');
    const viewer = await newViewer();
    const offer = await viewer.watch(data.stream.id);
    assert.match(offer.sdp, /^m=application /m);
    const socket = dgram.createSocket('udp4');
    try {
        // Until the data channel is open, what is sent is not for anyone: send until it arrives.
        await waitUntil(() => {
            socket.send(Buffer.from('now playing: a test tone'), port, '127.0.0.1');
            return viewer.peer.dataMessages.length > 0;
        }, 'a data channel message', 15000, 100);
    } finally {
        socket.close();
    }
    const text = viewer.peer.dataMessages[0].data;
    assert.equal(typeof text === 'string' ? text : Buffer.from(text).toString(),
        'now playing: a test tone');
    const stream = (await info(data.stream.id)).media[0];
    assert.equal(stream.type, 'data');
    assert.ok(stream.packets > 0);
    viewer.close();
    await admin.request({ request: 'destroy', id: data.stream.id, secret: 'adminpwd' });
});

test('destroying a mountpoint stops its viewers', async () => {
    const viewer = first.viewer;
    const from = viewer.messages.length;
    const { data } = await admin.request({ request: 'destroy', id: first.id, secret: 'adminpwd' });
    assert.deepEqual(data, { streaming: 'destroyed', id: first.id });
    await viewer.waitStatus('stopped', { from });
    await waitUntil(() => viewer.ofType('hangup', from).length > 0, 'a hangup');
    const { data: gone } = await admin.request({ request: 'info', id: first.id });
    assert.equal(gone.error_code, 455);
    first.source.stop();
    second.source.stop(); // less load for the next test
});

// 5% of the packets to the viewer dropped by Prism itself (media.simulate_loss_out): the viewer
// NACKs, the server resends from the mountpoint's history, and the video keeps up with the
// encoder (unrepaired, a lost packet breaks its frame and the ones after it until a keyframe).
test('5% loss on the way out: NACKs are answered from the mountpoint\'s history', async (t) => {
    if (againstJanus) {
        t.skip('loss simulation is a Prism setting');
        return;
    }
    const lossy = await startServer({ PRISM_MEDIA_SIMULATE_LOSS_OUT: '20' });
    const conn = await connectJanode(lossy);
    let source;
    let viewer;
    try {
        const manager = await StreamHandle.attach(await conn.create());
        const fed = await fedMountpoint(manager, BIG);
        source = fed.source;
        viewer = new StreamHandle(await (await conn.create()).attach(
            (await import('janode/plugins/streaming')).default));
        await viewer.watch(fed.id);
        await viewer.peer.waitFrames('v', BIG, 5);
        await assertViewerKeepsUp(fed.video, () => viewer.peer.framesSoFar('v'));
        const stats = (await viewer.peer.stats('inbound-rtp')).find((s) => s.kind === 'video');
        assert.ok(stats.nackCount > 0, `the viewer sent no NACK: ${JSON.stringify(stats)}`);
    } finally {
        source?.stop();
        viewer?.close();
        await conn.close().catch(() => {});
        await lossy.stop();
    }
});
