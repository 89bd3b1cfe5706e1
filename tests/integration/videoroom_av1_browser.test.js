// AV1 and the Dependency Descriptor in the VideoRoom with Chromium (lib/browser_peer.js, janode
// for the signalling): Chromium publishes its fake camera in AV1 to a room whose videocodec is
// "av1" and a Chromium subscriber decodes it. Then "temporal" (configure) read from the descriptor: a
// publisher encoding three temporal layers (L1T3), in VP8 (whose payload descriptor then carries
// no temporal id: Chrome moves it into the extension) and in AV1, and a subscriber that asks for
// temporal 0 receives a quarter of the frames it receives at temporal 2; the descriptor is
// offered to the subscriber and forwarded (its decoder needs it for AV1 L1T3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from './lib/browser.js';
import { browserRoomRig } from './lib/browser_room.js';
import { newRoomId } from './lib/videoroom.js';

const DD_URI = 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension';

const rig = browserRoomRig();

async function createRoom(videocodec) {
    const room = newRoomId();
    const created = await rig.admin.handle.create({ room, videocodec, audiocodec: 'opus' });
    assert.equal(created.room, room);
    return room;
}

// The video m-line of an SDP.
function videoSection(sdp) {
    return sdp.split(/\r?\nm=/).find((s) => s.startsWith('video ')) ?? '';
}

// Chromium publishing its fake camera in `mimeType` to `room`; resolves once it encodes in it.
async function chromiumPublisher(room, mimeType, scalabilityMode) {
    const peer = await rig.openPeer();
    const offer = await peer.publishOffer({ mimeType, scalabilityMode });
    // Chromium here offers the descriptor only with a scalability mode set.
    const offersDescriptor = videoSection(offer).includes(DD_URI);
    if (scalabilityMode) assert.ok(offersDescriptor, 'Chromium offers the dependency descriptor');
    const handle = await rig.attachHandle();
    const joined = await handle.handle.joinPublisher({ room, display: `chromium ${mimeType}` });
    const reply = await handle.handle.publish({ audio: true, video: true,
        jsep: { type: 'offer', sdp: offer } });
    assert.equal(reply.configured, 'ok');
    await peer.applyAnswer(reply.jsep.sdp);
    const answered = videoSection(reply.jsep.sdp);
    assert.equal(answered.includes(DD_URI), offersDescriptor,
        `the answer takes the descriptor when offered:\n${answered}`);
    let sent;
    await waitFor(`Chromium encoding ${mimeType}`, async () => {
        sent = await peer.videoSent();
        return sent.framesEncoded > 10 && sent;
    }, 30000).catch((error) => {
        throw new Error(`${error.message}: ${JSON.stringify(sent)}`);
    });
    assert.equal(sent.mimeType, mimeType, `Chromium sends ${JSON.stringify(sent)}`);
    if (scalabilityMode) assert.equal(sent.scalabilityMode, scalabilityMode);
    return { feed: joined.feed, peer, answer: reply.jsep.sdp };
}

async function chromiumSubscriber(room, feed) {
    const peer = await rig.openPeer();
    const handle = await rig.attachHandle();
    const attached = await handle.handle.joinSubscriber({ room, streams: [{ feed }] });
    const answer = await peer.answer(attached.jsep.sdp);
    await handle.handle.start({ jsep: { type: 'answer', sdp: answer } });
    return { peer, handle, offer: attached.jsep.sdp, answer };
}

test('AV1 from Chromium reaches a Chromium subscriber, which decodes it', async () => {
    const room = await createRoom('av1');
    const publisher = await chromiumPublisher(room, 'video/AV1');
    assert.match(videoSection(publisher.answer), /^a=rtpmap:\d+ AV1\/90000\r?$/m);
    const { peer, offer, answer } = await chromiumSubscriber(room, publisher.feed);
    assert.match(videoSection(offer), /^a=rtpmap:\d+ AV1\/90000\r?$/m);
    assert.match(videoSection(answer), /^a=rtpmap:\d+ AV1\/90000\r?$/m);
    const [video] = await peer.waitDecoded(30);
    assert.equal(video.mimeType, 'video/AV1');
    assert.equal(video.frameWidth, 640);
    // Still decoding: no decoder error stopped it.
    const later = await peer.waitDecoded(video.framesDecoded + 20);
    assert.equal(later[0].mimeType, 'video/AV1');
});

// The share of the frames the publisher sent that the subscriber received, over `frames`
// received frames (received, not decoded: a loaded machine's decoder may skip some).
async function receivedShare(publisher, subscriber, frames) {
    const start = [(await subscriber.videoReceived())[0].framesReceived,
        (await publisher.videoSent()).framesSent];
    let received = 0;
    await waitFor(`${frames} more frames received`, async () => {
        received = (await subscriber.videoReceived())[0].framesReceived - start[0];
        return received >= frames;
    }, 60000);
    return received / Math.max(1, (await publisher.videoSent()).framesSent - start[1]);
}

for (const mimeType of ['video/VP8', 'video/AV1']) {
    test(`temporal 0 from the dependency descriptor keeps a quarter of ${mimeType} L1T3 frames`,
        async (t) => {
            const room = await createRoom(mimeType === 'video/VP8' ? 'vp8' : 'av1');
            const publisher = await chromiumPublisher(room, mimeType, 'L1T3');
            const { peer, handle, offer, answer } = await chromiumSubscriber(room,
                publisher.feed);
            // The descriptor is offered to the subscriber and forwarded to it.
            assert.ok(videoSection(offer).includes(DD_URI), 'the subscriber is offered it');
            assert.ok(videoSection(answer).includes(DD_URI), 'and takes it');
            await peer.waitDecoded(10);
            const all = await receivedShare(publisher.peer, peer, 30);
            // Applied on the room's worker before the reply: the next frame start follows it.
            await handle.handle.configure({ sc_temporal_layers: 0 });
            // Frames in flight when it was applied are not counted: measure afresh.
            await receivedShare(publisher.peer, peer, 5);
            const base = await receivedShare(publisher.peer, peer, 20);
            t.diagnostic(`received share of the frames sent: temporal 2 ${all.toFixed(2)}, ` +
                `temporal 0 ${base.toFixed(2)}`);
            // L1T3 sends T0 T2 T1 T2: a quarter of the frames are T0. Without the drop the
            // share would stay about 1.
            assert.ok(all > 0.75, `all frames arrive at temporal 2: ${all}`);
            assert.ok(base / all > 0.1 && base / all < 0.4,
                `temporal 0 should keep a quarter of the frames: ${all} -> ${base}`);
            const [video] = await peer.videoReceived();
            assert.equal(video.mimeType, mimeType);
        });
}
