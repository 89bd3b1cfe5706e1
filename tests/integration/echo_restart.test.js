// An echo call that changes mid-way: an ICE restart (a new offer with new ICE credentials on the
// same handle, candidates trickled as janus.js does) after which media and data still flow over
// the new ICE session, and a "bitrate" message that must reach the sender as REMB, seen in
// libwebrtc's own bandwidth estimate and send rate.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { assertTextEcho, attachEcho, connectJanode, iceUfrag, negotiate,
    waitMediaEvents } from './lib/echo.js';
import { EchoPeer, waitUntil } from './lib/peer.js';
import { sleep, startServer } from './lib/server.js';

let server;
let connection;
const peers = [];

before(async () => {
    server = await startServer();
    connection = await connectJanode(server);
});

afterEach(() => {
    for (const peer of peers.splice(0)) peer.close();
});

after(async () => {
    await connection?.close().catch(() => {});
    await server?.stop();
});

async function call(options = {}) {
    const session = await connection.create();
    const { handle, events } = await attachEcho(session);
    const peer = new EchoPeer(options);
    peers.push(peer);
    const negotiated = await negotiate(handle, events, peer, { trickle: true });
    await peer.waitConnected();
    await waitMediaEvents(events);
    await peer.waitFrames(20);
    return { session, handle, events, peer, ...negotiated };
}

async function transport(peer) {
    const [stats] = await peer.stats('transport');
    assert.ok(stats, 'no transport stats');
    return stats;
}

async function selectedPair(peer) {
    const { selectedCandidatePairId } = await transport(peer);
    const pairs = await peer.stats('candidate-pair');
    const pair = pairs.find((p) => p.id === selectedCandidatePairId);
    assert.ok(pair, `no selected candidate pair among ${JSON.stringify(pairs)}`);
    return pair;
}

test('ICE restart: new credentials in offer and answer, media and data keep flowing', async () => {
    const { session, handle, events, peer, offer, answer } = await call();
    const firstPair = await selectedPair(peer);

    const restart = await negotiate(handle, events, peer, { trickle: true, iceRestart: true });
    assert.notEqual(iceUfrag(restart.offer.sdp), iceUfrag(offer.sdp), 'the offer kept its ufrag');
    assert.notEqual(iceUfrag(restart.answer.sdp), iceUfrag(answer.sdp),
        'the answer to an ICE restart must bring new ICE credentials');
    // The transport moves to the new ICE session (its local ufrag is the new one) ...
    const newUfrag = iceUfrag(restart.offer.sdp);
    let stats;
    await waitUntil(async () => {
        stats = await transport(peer);
        return stats.iceLocalUsernameFragment === newUfrag;
    },
        () => `the transport to use ufrag ${newUfrag} (still ${stats?.iceLocalUsernameFragment})`,
        15000, 100);
    await peer.waitConnected();
    // ... and media flows over it: frames and audio after the switch, bytes on the new pair.
    const mark = peer.videoFrames.length;
    const audioMark = peer.audioCallbacks;
    await peer.waitFrames(30, { from: mark });
    await peer.waitAudio(50, { from: audioMark });
    const pair = await selectedPair(peer);
    const received = pair.bytesReceived;
    await sleep(1000);
    const later = await selectedPair(peer);
    assert.equal(later.id, pair.id, 'the selected pair changed again');
    assert.ok(later.bytesReceived > received + 5000,
        `the selected pair received ${later.bytesReceived - received} bytes in 1 s`);
    assert.ok(pair.id !== firstPair.id || stats.selectedCandidatePairChanges > 1,
        'ICE did not select a pair of the restarted session');

    // The data channel rides on the same DTLS/SCTP association, so it survives the restart.
    await peer.waitChannelOpen();
    assertTextEcho(await peer.echo('after restart'), 'after restart');
    assert.equal(events.hangup.length, 0,
        `hangup during the restart: ${JSON.stringify(events.hangup)}`);
    await handle.detach();
    await session.destroy();
});

test('a bitrate cap in the message reaches the sender as REMB', async () => {
    const CAP = 64000;
    const { session, handle, peer } = await call({ dataChannel: false });
    const before = (await selectedPair(peer)).availableOutgoingBitrate;
    assert.ok(before > 2 * CAP, `the estimate is already low before the cap: ${before}`);

    const reply = await handle.message({ bitrate: CAP });
    assert.equal(reply.plugindata?.data?.result, 'ok', JSON.stringify(reply));
    // libwebrtc lowers its estimate to what the REMB it receives allows.
    let estimate = before;
    await waitUntil(async () => {
        estimate = (await selectedPair(peer)).availableOutgoingBitrate;
        return estimate <= 2 * CAP;
    }, () => `availableOutgoingBitrate to drop to ${2 * CAP} (still ${estimate}, was ${before})`,
    15000, 250);

    // And the video encoder follows: it sends well under what it sent before the cap.
    const sentVideo = async () => (await peer.stats('outbound-rtp'))
        .filter((s) => s.kind === 'video').reduce((sum, s) => sum + s.bytesSent, 0);
    await sleep(1000);
    const start = await sentVideo();
    await sleep(2000);
    const rate = ((await sentVideo()) - start) * 8 / 2;
    assert.ok(rate <= 2 * CAP, `video still sent at ${Math.round(rate)} bit/s under a ${CAP} cap`);
    await handle.detach();
    await session.destroy();
});
