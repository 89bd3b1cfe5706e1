// Codecs in the VideoRoom with real stacks. H.264: an aiortc publisher (libx264, packetization
// mode 1, no periodic key frames) in a room whose videocodec list is "h264", an early and a late
// aiortc subscriber that must both decode it (the late one only after the server got it a key
// frame), and Opus useinbandfec/usedtx/stereo answered as the room's opus_fec/opus_dtx ask and
// offered to the subscribers (peers/aiortc_h264.py). The room's opus_fec=false and opus_dtx=true
// reach a libwebrtc publisher's answer. VP9: a libwebrtc publisher (@roamhq/wrtc) in a "vp9" room
// and a libwebrtc subscriber that decodes it. The room's list: a libwebrtc publisher (which has
// no H.264) in an "h264" room gets its video m-line refused and listed as disabled, as Janus
// does, and subscribers get its audio only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runPythonPeer } from './lib/python_peer.js';
import { startServer } from './lib/server.js';
import { connectJanode, mediaSections, newRoomId, Participant, RoomHandle,
    subscriptionOf } from './lib/videoroom.js';

let server;
let connection;
let admin;
const everyone = [];

before(async () => {
    server = await startServer();
    connection = await connectJanode(server);
    admin = await RoomHandle.attach(await connection.create());
});

after(async () => {
    for (const participant of everyone) participant.close();
    await connection?.close().catch(() => {});
    await server?.stop();
});

// The a=fmtp parameters of the codec `name` in an SDP's m-line of `kind`, as a Map.
function fmtpOf(sdp, kind, name) {
    const section = sdp.split(/\r?\nm=/).find((s) => s.startsWith(`${kind} `));
    assert.ok(section, `no ${kind} m-line in\n${sdp}`);
    const pt = new RegExp(`^a=rtpmap:(\\d+) ${name}/`, 'mi').exec(section)?.[1];
    assert.ok(pt, `no ${name} in the ${kind} m-line:\n${section}`);
    const line = new RegExp(`^a=fmtp:${pt} (.*?)\\r?$`, 'm').exec(section)?.[1] ?? '';
    return new Map(line.split(';').filter(Boolean).map((p) => p.trim().split('=')));
}

test('H.264 from aiortc reaches an early and a late aiortc subscriber, which decode it', async () => {
    const result = await runPythonPeer('aiortc_h264.py', server.base, '--room',
        String(newRoomId()), '--frames', '20');
    const { answer, configured } = result.publisher;
    assert.equal(configured.video_codec, 'h264');
    // The room asks for DTX (opus_dtx) and in-band FEC (opus_fec, Janus's default).
    const answeredOpus = fmtpOf(answer, 'audio', 'opus');
    assert.equal(answeredOpus.get('useinbandfec'), '1', answer);
    assert.equal(answeredOpus.get('usedtx'), '1', answer);
    const answered = fmtpOf(answer, 'video', 'H264');
    assert.equal(answered.get('packetization-mode'), '1');
    const profile = answered.get('profile-level-id');
    assert.match(profile, /^42[0-9a-f]{4}$/i, 'a Baseline profile, as aiortc offers');
    for (const sdp of [result.early_remote_sdp, result.late_remote_sdp]) {
        // The subscriber's offer carries the publisher's codec: H.264 alone, same profile.
        const video = mediaSections(sdp).find((m) => m.kind === 'video');
        assert.deepEqual(video.codecs.filter((c) => c !== 'rtx'), ['H264']);
        const offered = fmtpOf(sdp, 'video', 'H264');
        assert.equal(offered.get('packetization-mode'), '1');
        assert.equal(offered.get('profile-level-id'), profile);
        const opus = fmtpOf(sdp, 'audio', 'opus');
        for (const key of ['useinbandfec', 'usedtx', 'stereo']) {
            assert.equal(opus.get(key), '1', `${key}=1 in the subscriber's offer:\n${sdp}`);
        }
    }
    assert.ok((result.early.video['320x240'] ?? 0) >= 20,
        `the early subscriber decoded ${JSON.stringify(result.early.video)}`);
    assert.ok((result.late.video['320x240'] ?? 0) >= 20,
        `the late subscriber decoded ${JSON.stringify(result.late.video)}`);
    assert.ok(result.early.audio > 0 && result.late.audio > 0, 'both subscribers decoded audio');
    assert.ok(result.keyframe_requests > result.keyframe_requests_before_late,
        `the publisher was asked for a key frame when the late subscriber joined ` +
        `(${result.keyframe_requests_before_late} before, ${result.keyframe_requests} after)`);
});

async function createRoom(options) {
    const room = newRoomId();
    const created = await admin.handle.create({ room, ...options });
    assert.equal(created.room, room);
    return room;
}

async function publisherIn(room, display) {
    const participant = new Participant(await connection.create(), { room, display,
        width: 320, height: 240, fps: 15 });
    everyone.push(participant);
    await participant.joinAndPublish();
    return participant;
}

test('VP9 from libwebrtc reaches a libwebrtc subscriber, which decodes it', async () => {
    const room = await createRoom({ videocodec: 'vp9' });
    const publisher = await publisherIn(room, 'vp9');
    assert.equal(publisher.configured.video_codec, 'vp9');
    const viewer = new Participant(await connection.create(), { room, display: 'viewer' });
    everyone.push(viewer);
    const { offer } = await viewer.subscribe(subscriptionOf(publisher.feed,
        publisher.configured.streams));
    const video = mediaSections(offer.sdp).find((m) => m.kind === 'video');
    assert.deepEqual(video.codecs.filter((c) => c !== 'rtx'), ['VP9']);
    assert.equal(fmtpOf(offer.sdp, 'video', 'VP9').get('profile-id') ?? '0', '0');
    await viewer.sub.waitConnected();
    await viewer.sub.waitFrames(video.mid, { width: 320, height: 240 }, 20);
    const [inbound] = (await viewer.sub.stats('inbound-rtp')).filter((s) => s.kind === 'video');
    const codec = (await viewer.sub.stats('codec')).find((c) => c.id === inbound?.codecId);
    if (codec) assert.equal(codec.mimeType, 'video/VP9');
});

test('a publisher offering no video codec of the room\'s list gets its video refused', async () => {
    const room = await createRoom({ videocodec: 'h264' });
    const publisher = await publisherIn(room, 'vp8-only');
    const { configured } = publisher;
    assert.equal(configured.configured, 'ok');
    assert.equal(configured.video_codec, undefined);
    const video = configured.streams.find((s) => s.type === 'video');
    assert.equal(video?.disabled, true, JSON.stringify(configured.streams));
    assert.equal(video.codec, undefined);
    const answerVideo = mediaSections(publisher.peer.pc.remoteDescription.sdp)
        .find((m) => m.kind === 'video');
    assert.equal(answerVideo.port, 0, 'the answer rejects the video m-line');
    const viewer = new Participant(await connection.create(), { room, display: 'viewer' });
    everyone.push(viewer);
    const { offer } = await viewer.subscribe(subscriptionOf(publisher.feed,
        configured.streams.filter((s) => !s.disabled)));
    assert.deepEqual(mediaSections(offer.sdp).map((m) => m.kind), ['audio']);
    await viewer.sub.waitConnected();
    await viewer.sub.waitAudio(mediaSections(offer.sdp)[0].mid, 20);
});

test('a room with opus_fec=false and opus_dtx=true answers usedtx=1 and no useinbandfec', async () => {
    // janode's create() passes on only the settings it knows: ask in plain Janus API.
    const room = newRoomId();
    const created = await admin.handle.message({ request: 'create', room, opus_fec: false,
        opus_dtx: true });
    assert.equal(created.plugindata?.data?.videoroom, 'created', JSON.stringify(created));
    const listed = (await admin.handle.list()).list.find((r) => r.room === room);
    assert.equal(listed.opus_dtx, true, JSON.stringify(listed));
    assert.equal(listed.opus_fec, undefined, 'listed only when set, as Janus does');
    const publisher = await publisherIn(room, 'dtx');
    const offered = fmtpOf(publisher.peer.pc.localDescription.sdp, 'audio', 'opus');
    assert.equal(offered.get('useinbandfec'), '1', 'libwebrtc offers in-band FEC');
    const answered = fmtpOf(publisher.peer.pc.remoteDescription.sdp, 'audio', 'opus');
    assert.equal(answered.get('usedtx'), '1');
    assert.equal(answered.get('useinbandfec'), undefined);
    assert.equal(publisher.configured.streams.find((s) => s.type === 'audio')['opus-fec'],
        undefined);
});
