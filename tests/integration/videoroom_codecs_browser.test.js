// Codecs in the VideoRoom with Chromium (Debian's package, which encodes and decodes H.264):
// Chromium publishes its fake camera in H.264 (packetization mode 1) through a plain
// RTCPeerConnection (lib/browser_peer.js) and janode; a Chromium subscriber and an aiortc
// subscriber (peers/aiortc_h264.py --feed) must both decode it. Then one Chromium subscriber
// takes an H.264 publisher and a VP8 one (libwebrtc, @roamhq/wrtc) on one PeerConnection, as a
// room whose videocodec list is "vp8,h264" allows, and must decode both. (@roamhq/wrtc has no
// H.264, so libwebrtc's side of H.264 is Chromium here.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserRoomRig } from './lib/browser_room.js';
import { runPythonPeer } from './lib/python_peer.js';
import { mediaSections, newRoomId, Participant } from './lib/videoroom.js';

const rig = browserRoomRig();

async function createRoom(options) {
    const room = newRoomId();
    const created = await rig.admin.handle.create({ room, ...options });
    assert.equal(created.room, room);
    return room;
}

// The a=fmtp parameters of the first codec `name` in the m-line of `kind`, as a Map.
function fmtpOf(sdp, kind, name) {
    const section = sdp.split(/\r?\nm=/).find((s) => s.startsWith(`${kind} `));
    const pt = new RegExp(`^a=rtpmap:(\\d+) ${name}/`, 'mi').exec(section ?? '')?.[1];
    assert.ok(pt, `no ${name} in the ${kind} m-line of\n${sdp}`);
    const line = new RegExp(`^a=fmtp:${pt} (.*?)\\r?$`, 'm').exec(section)?.[1] ?? '';
    return new Map(line.split(';').filter(Boolean).map((p) => p.trim().split('=')));
}

// Every m-line of an offer is in one BUNDLE group: a payload type must mean one codec (rtpmap and
// fmtp) in all of them (RFC 8843 section 9.1). Publishers choose theirs each on its own (aiortc's
// Opus is 96 like libwebrtc's VP8), and the server used to offer RTX as 97 on every m-line.
function assertOnePayloadTypeMeaning(sdp) {
    const meaning = new Map();
    for (const section of sdp.split(/\r?\nm=/).slice(1)) {
        for (const [, pt, codec] of section.matchAll(/^a=rtpmap:(\d+) (\S+)\r?$/gm)) {
            const fmtp = new RegExp(`^a=fmtp:${pt} (.*?)\\r?$`, 'm').exec(section)?.[1] ?? '';
            const text = `${codec} ${fmtp}`;
            assert.equal(meaning.get(pt) ?? text, text, `payload type ${pt} twice in\n${sdp}`);
            meaning.set(pt, text);
        }
    }
}

// Chromium publishing its fake camera in H.264 in `room`; resolves once it encodes H.264.
async function chromiumH264Publisher(room) {
    const peer = await rig.openPeer();
    const offer = await peer.publishOffer({ mimeType: 'video/H264',
        fmtpIncludes: 'packetization-mode=1' });
    const handle = await rig.attachHandle();
    const joined = await handle.handle.joinPublisher({ room, display: 'chromium-h264' });
    const reply = await handle.handle.publish({ audio: true, video: true,
        jsep: { type: 'offer', sdp: offer } });
    assert.equal(reply.configured, 'ok');
    await peer.applyAnswer(reply.jsep.sdp);
    const answered = fmtpOf(reply.jsep.sdp, 'video', 'H264');
    assert.equal(answered.get('packetization-mode'), '1');
    let sent;
    for (const deadline = Date.now() + 20000; Date.now() < deadline;) {
        sent = await peer.videoSent();
        if (sent.framesEncoded > 10) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(sent.mimeType, 'video/H264', `Chromium sends ${JSON.stringify(sent)}`);
    assert.ok(sent.framesEncoded > 10, `Chromium encoded ${JSON.stringify(sent)}`);
    return { feed: joined.feed, profile: answered.get('profile-level-id'), sent };
}

// A Chromium subscriber to `streams` ([{feed, mid?}]) of `room`; returns it and the offer.
async function chromiumSubscriber(room, streams) {
    const peer = await rig.openPeer();
    const handle = await rig.attachHandle();
    const attached = await handle.handle.joinSubscriber({ room, streams });
    let answer;
    try {
        answer = await peer.answer(attached.jsep.sdp);
    } catch (error) {
        throw new Error(`Chromium refused the subscriber offer: ${error.message}\n` +
            attached.jsep.sdp);
    }
    await handle.handle.start({ jsep: { type: 'answer', sdp: answer } });
    return { peer, offer: attached.jsep.sdp };
}

test('H.264 from Chromium reaches a Chromium and an aiortc subscriber, which decode it',
    async () => {
        const room = await createRoom({ videocodec: 'h264', audiocodec: 'opus' });
        const { feed, profile } = await chromiumH264Publisher(room);
        const watching = runPythonPeer('aiortc_h264.py', rig.server.base, '--room', String(room),
            '--feed', String(feed), '--frames', '20');
        const { peer, offer } = await chromiumSubscriber(room, [{ feed }]);
        assert.equal(fmtpOf(offer, 'video', 'H264').get('profile-level-id'), profile);
        const [video] = await peer.waitDecoded(20);
        assert.equal(video.mimeType, 'video/H264');
        assert.equal(video.frameWidth, 640);
        const aiortc = await watching;
        assert.equal(fmtpOf(aiortc.remote_sdp, 'video', 'H264').get('profile-level-id'), profile);
        assert.ok((aiortc.video['640x480'] ?? 0) >= 20,
            `aiortc decoded ${JSON.stringify(aiortc.video)}`);
    });

test('one Chromium subscriber decodes an H.264 and a VP8 publisher together', async () => {
    const room = await createRoom({ videocodec: 'vp8,h264', audiocodec: 'opus' });
    const h264 = await chromiumH264Publisher(room);
    const vp8 = new Participant(await rig.connection.create(), { room, display: 'wrtc-vp8',
        width: 320, height: 240, fps: 15 });
    rig.closeAfter(vp8);
    await vp8.joinAndPublish();
    assert.equal(vp8.configured.video_codec, 'vp8');
    const { peer, offer } = await chromiumSubscriber(room, [{ feed: h264.feed },
        { feed: vp8.feed }]);
    assertOnePayloadTypeMeaning(offer);
    const videos = mediaSections(offer).filter((m) => m.kind === 'video');
    assert.deepEqual(videos.map((m) => m.codecs.filter((c) => c !== 'rtx')), [['H264'], ['VP8']]);
    const received = await peer.waitDecoded(20, 2);
    const byCodec = Object.fromEntries(received.map((s) => [s.mimeType, s.frameWidth]));
    assert.deepEqual(byCodec, { 'video/H264': 640, 'video/VP8': 320 });
});
