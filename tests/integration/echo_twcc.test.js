// Transport-wide congestion control feedback to a libwebrtc sender (@roamhq/wrtc through
// janode, in the echotest and as a VideoRoom publisher): Prism negotiates the transport-wide-cc extension and transport-cc
// feedback in its answer, and reports every packet's arrival back in RTPFB/15 feedback. The
// peer's send-side estimator (GoogCC) only moves off its start rate (300 kbps) when it gets
// that feedback: its initial probes are measured from it, and without it the estimate stays
// where it started. So the test watches the candidate pair's availableOutgoingBitrate climb
// well past the start rate, and the server's own count of feedback sent.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { attachEcho, connectJanode, negotiate, waitMediaEvents } from './lib/echo.js';
import { EchoPeer, waitUntil } from './lib/peer.js';
import { startServer } from './lib/server.js';
import { newRoomId, Participant, RoomHandle } from './lib/videoroom.js';

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

async function availableOutgoingBitrate(peer) {
    const pairs = (await peer.stats('candidate-pair')).filter((p) => p.nominated
        || p.state === 'succeeded');
    const values = pairs.map((p) => p.availableOutgoingBitrate).filter((v) => v !== undefined);
    return values.length ? Math.max(...values) : 0;
}

const TWCC_EXTMAP =
    /^a=extmap:\d+ http:\/\/www\.ietf\.org\/id\/draft-holmer-rmcat-transport-wide-cc-extensions-01\r?$/m;

// Waits until the sender's estimate is past 1 Mbps: libwebrtc starts at 300 kbps and, without
// feedback, only comes down from there.
async function waitEstimateRamps(peer) {
    const seen = [];
    await waitUntil(async () => {
        const bps = await availableOutgoingBitrate(peer);
        seen.push(bps);
        return bps >= 1000000;
    }, () => `availableOutgoingBitrate to pass 1 Mbps (start rate 300 kbps), saw ${
        [...new Set(seen)].join(', ')}`, 30000, 250);
}

test('a libwebrtc sender gets transport-cc feedback and its estimate ramps up', async () => {
    const session = await connection.create();
    const { handle, events } = await attachEcho(session);
    const peer = new EchoPeer({ width: 640, height: 480, fps: 30, dataChannel: false });
    peers.push(peer);
    const { answer } = await negotiate(handle, events, peer);
    assert.match(answer.sdp, TWCC_EXTMAP);
    assert.match(answer.sdp, /^a=rtcp-fb:\d+ transport-cc\r?$/m);
    await peer.waitConnected();
    await waitMediaEvents(events);
    await waitEstimateRamps(peer);
    await handle.detach();
    await session.destroy();
});

test('a VideoRoom publisher gets transport-cc feedback and its estimate ramps up', async () => {
    const admin = await RoomHandle.attach(await connection.create());
    const room = newRoomId();
    await admin.handle.create({ room });
    const participant = new Participant(await connection.create(), { room, display: 'twcc',
        width: 640, height: 480, fps: 30 });
    try {
        await participant.join();
        const reply = await participant.publish();
        assert.match(reply.jsep.sdp, TWCC_EXTMAP);
        assert.match(reply.jsep.sdp, /^a=rtcp-fb:\d+ transport-cc\r?$/m);
        await participant.peer.waitConnected();
        await waitEstimateRamps(participant.peer);
    } finally {
        participant.close();
    }
    await admin.handle.destroy({ room });
});
