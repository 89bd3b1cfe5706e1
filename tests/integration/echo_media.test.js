// Media through janus.plugin.echotest with a libwebrtc peer (@roamhq/wrtc) driven by janode:
// ICE with and without trickle, DTLS, SRTP both ways (decoded video frames of the size sent,
// audio carrying the tone), the webrtcup and media events, data channel echoes, hangup, the
// echotest's video switch, a peer that stops sending and then closes, and an offer without
// BUNDLE refused with 465.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { attachEcho, checkDataChannelEcho, connectJanode, negotiate,
    waitMediaEvents } from './lib/echo.js';
import { EchoPeer, waitUntil } from './lib/peer.js';
import { againstJanus, sleep, startServer } from './lib/server.js';
import { JanusWs } from './lib/ws.js';

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

function newPeer(options) {
    const peer = new EchoPeer(options);
    peers.push(peer);
    return peer;
}

// Everything an echo call must show once negotiated: ICE and DTLS up, webrtcup and media events
// for audio and video, 30 echoed frames decoded at the size sent, the tone back (not silence),
// and the data channel echoing text and binary.
async function checkEchoFlows(peer, events) {
    await peer.waitConnected();
    await waitMediaEvents(events);
    await peer.waitFrames(30);
    await peer.waitAudio(50);
    assert.ok(peer.audioPeak > 2000,
        `echoed audio peaks at ${peer.audioPeak}: silence, not the tone`);
    await checkDataChannelEcho(peer);
    assert.equal(events.webrtcup, 1, 'exactly one webrtcup');
    for (const media of events.media) assert.equal(typeof media.mid, 'string');
}

test('non-trickle: candidates in the offer, audio, video and data come back', async () => {
    const session = await connection.create();
    const { handle, events } = await attachEcho(session);
    const peer = newPeer();
    const { answer } = await negotiate(handle, events, peer, { trickle: false });

    // What clients rely on in the answer: BUNDLE of all three m-lines, rtcp-mux, a DTLS role
    // chosen for our actpass offer (Janus picks active, Prism passive: both work), and a host
    // candidate on 127.0.0.1.
    assert.match(answer.sdp, /^a=group:BUNDLE 0 1 2\r?$/m);
    assert.match(answer.sdp, /^a=setup:(active|passive)\r?$/m);
    assert.doesNotMatch(answer.sdp, /^a=setup:(actpass|holdconn)/m);
    assert.match(answer.sdp, /^a=rtcp-mux\r?$/m);
    assert.match(answer.sdp, /^m=audio \d+ UDP\/TLS\/RTP\/SAVPF \d+/m);
    assert.match(answer.sdp, /^a=rtpmap:\d+ opus\/48000\/2\r?$/m);
    assert.match(answer.sdp, /^a=rtpmap:\d+ VP8\/90000\r?$/m);
    assert.match(answer.sdp, /^m=application \d+ UDP\/DTLS\/SCTP webrtc-datachannel\r?$/m);
    assert.match(answer.sdp, /^a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/m);

    await checkEchoFlows(peer, events);
    await handle.detach();
    await session.destroy();
});

test('trickle: candidates in trickle requests, then completed', async () => {
    const session = await connection.create();
    const { handle, events } = await attachEcho(session);
    const peer = newPeer();
    const { trickled } = await negotiate(handle, events, peer, { trickle: true });
    assert.ok(trickled.some((c) => / 127\.0\.0\.1 \d+ typ host/.test(c.candidate)),
        `no 127.0.0.1 host candidate among ${JSON.stringify(trickled)}`);
    await checkEchoFlows(peer, events);
    // Candidates the server trickled (full trickle) must name a mid of the offer.
    for (const t of events.trickle.filter((e) => !e.completed)) {
        assert.ok(['0', '1', '2'].includes(t.sdpMid), `trickle for mid ${t.sdpMid}`);
        assert.match(t.candidate, /^candidate:/);
    }
    await handle.detach();
    await session.destroy();
});

test('hangup: the hangup event comes, media stops, the handle can negotiate again', async () => {
    const session = await connection.create();
    const { handle, events } = await attachEcho(session);
    const first = newPeer({ dataChannel: false });
    await negotiate(handle, events, first);
    await first.waitConnected();
    await first.waitFrames(10);

    const reply = await handle.hangup();
    assert.equal(reply.janus, 'success');
    await waitUntil(() => events.hangup.length > 0, 'the hangup event', 10000);
    assert.equal(typeof events.hangup[0].reason, 'string');
    assert.ok(events.hangup[0].reason.length > 0, 'the hangup event gives a reason');
    // Janus's echotest also says {"echotest":"event","result":"done"}.
    await waitUntil(() => events.results.some((r) => r.result === 'done'),
        () => `the echotest "done" event (got ${JSON.stringify(events.results)})`, 10000);

    // Frames in flight may still land for a moment; after that nothing more may come.
    await sleep(1000);
    const settled = first.videoFrames.length;
    await sleep(2000);
    assert.equal(first.videoFrames.length, settled, 'video still echoed after hangup');
    first.close();

    // A new PeerConnection on the same handle, as janus.js does when a call restarts.
    const second = newPeer({ dataChannel: false });
    const webrtcups = events.webrtcup;
    await negotiate(handle, events, second);
    await second.waitConnected();
    await second.waitFrames(20);
    await waitUntil(() => events.webrtcup > webrtcups, 'webrtcup for the second call', 10000);
    await handle.detach();
    await session.destroy();
});

test('the echotest obeys video:false and video:true in a message', async () => {
    const session = await connection.create();
    const { handle, events } = await attachEcho(session);
    const peer = newPeer({ dataChannel: false });
    await negotiate(handle, events, peer);
    await peer.waitConnected();
    await peer.waitFrames(10);

    const off = await handle.message({ video: false });
    assert.equal(off.plugindata?.data?.result, 'ok', JSON.stringify(off));
    await sleep(1000); // frames already on their way may still land
    const stopped = peer.videoFrames.length;
    const audio = peer.audioCallbacks;
    await sleep(2000);
    assert.ok(peer.videoFrames.length - stopped <= 1,
        `${peer.videoFrames.length - stopped} frames echoed with video:false`);
    assert.ok(peer.audioCallbacks > audio, 'audio stopped too');

    const on = await handle.message({ video: true });
    assert.equal(on.plugindata?.data?.result, 'ok', JSON.stringify(on));
    await peer.waitFrames(20, { from: peer.videoFrames.length });
    await handle.detach();
    await session.destroy();
});

test('a peer that stops sending video, then closes its PeerConnection: media, hangup', async () => {
    const session = await connection.create();
    const { handle, events } = await attachEcho(session);
    const peer = newPeer({ dataChannel: false });
    await negotiate(handle, events, peer);
    await peer.waitConnected();
    await waitMediaEvents(events);
    await peer.waitFrames(10);

    // No video for a while: the server says it stopped receiving it (Janus after 1 s).
    peer.videoPaused = true;
    await waitUntil(() => events.media.some((m) => m.type === 'video' && m.receiving === false),
        () => `a media event with receiving:false for video (got ${JSON.stringify(events.media)})`,
        10000);
    assert.ok(!events.media.some((m) => m.type === 'audio' && m.receiving === false),
        'audio reported as stopped while it still flows');

    // Closing the PeerConnection sends a DTLS close_notify: the server must end the call.
    peer.close();
    await waitUntil(() => events.hangup.length > 0, 'the hangup event', 10000);
    assert.equal(typeof events.hangup[0].reason, 'string');
    await handle.detach();
    await session.destroy();
});

test('an offer without BUNDLE is refused with 465 and a reason naming BUNDLE', async (t) => {
    if (againstJanus) {
        t.skip('Janus 1.1 accepts offers without BUNDLE and bundles them in its answer');
        return;
    }
    const session = await connection.create();
    const { handle, events } = await attachEcho(session);
    const peer = newPeer();
    const offer = await peer.completeOffer();
    const sdp = offer.sdp.replace(/^a=group:BUNDLE[^\n]*\n/m, '');
    assert.doesNotMatch(sdp, /BUNDLE/);
    await assert.rejects(handle.start({ audio: true, video: true, jsep: { type: 'offer', sdp } }),
        (error) => {
            assert.match(error.message, /^465 /, `refused with ${error.message}`);
            assert.match(error.message, /bundle/i,
                `the reason does not name BUNDLE: ${error.message}`);
            return true;
        });
    // The handle is still usable: a proper offer goes through.
    const good = newPeer({ dataChannel: false });
    await negotiate(handle, events, good);
    await good.waitConnected();
    await good.waitFrames(10);
    await handle.detach();
    await session.destroy();
});

test('detach answers success before the detached event, as janode expects', async () => {
    // janode ends a handle on "detached"; a "success" for its detach arriving after that finds
    // no transaction and janode logs "error while detaching". Janus sends success first.
    const client = await JanusWs.connect(server.wsUrl);
    const sessionId = await client.create();
    const handleId = await client.attach(sessionId);
    const from = client.received.length;
    const reply = await client.request({ janus: 'detach', session_id: sessionId,
        handle_id: handleId });
    assert.equal(reply.janus, 'success');
    await client.waitFor((m) => m.janus === 'detached', { from });
    const order = client.received.slice(from).map((m) => m.janus);
    assert.deepEqual(order, ['success', 'detached']);
    await client.destroy(sessionId);
    await client.close();
});
