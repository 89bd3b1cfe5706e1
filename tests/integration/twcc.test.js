// Transport-wide congestion control with libwebrtc peers (@roamhq/wrtc through janode).
//
// Receive side, in the echotest and for a VideoRoom publisher: Prism negotiates the
// transport-wide-cc extension and transport-cc feedback in its answer, and reports every
// packet's arrival back in RTPFB/15 feedback. The peer's send-side estimator (GoogCC) only moves
// off its start rate (300 kbps) when it gets that feedback: its initial probes are measured
// from it, and without it the estimate stays where it started. So the test watches the
// candidate pair's availableOutgoingBitrate climb well past the start rate.
//
// Send side, for a VideoRoom subscriber and a WHEP viewer: Prism offers (or answers)
// transport-cc, stamps its own transport-wide sequence on every packet it forwards, and runs
// its bandwidth estimator (media/bwe) on the viewer's feedback; the Admin API's handle_info
// shows the feedback counted and an estimate that grows from its 300 kbps start to what the
// path carries (the publisher's 640x480 video reaches about 1.8 Mbps once its own estimate
// ramps up).
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { attachEcho, connectJanode, negotiate, waitMediaEvents } from './lib/echo.js';
import { EchoPeer, waitUntil } from './lib/peer.js';
import { freePort, startServer } from './lib/server.js';
import { newRoomId, Participant, RoomHandle, subscriptionOf } from './lib/videoroom.js';
import { WhepViewer } from './lib/whep_viewer.js';

const ADMIN_SECRET = 'twcc-admin';
let adminUrl;

let server;
let connection;
const peers = [];

before(async () => {
    const adminPort = await freePort();
    server = await startServer({
        PRISM_GENERAL_ADMIN_SECRET: ADMIN_SECRET,
        PRISM_ADMIN_HTTP_ENABLED: 'true',
        PRISM_ADMIN_HTTP_PORT: String(adminPort),
    });
    adminUrl = `http://127.0.0.1:${adminPort}/admin`;
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

async function adminRequest(path, janus) {
    const response = await fetch(`${adminUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ janus, transaction: `${janus}-${Date.now()}`,
            admin_secret: ADMIN_SECRET }),
    });
    assert.equal(response.status, 200);
    return response.json();
}

async function handleInfo(sessionId, handleId) {
    return (await adminRequest(`/${sessionId}/${handleId}`, 'handle_info')).info;
}

// The webrtc part of handle_info of every handle on the server, by "session/handle".
async function everyPeer() {
    const peers = new Map();
    for (const session of (await adminRequest('', 'list_sessions')).sessions) {
        for (const handle of (await adminRequest(`/${session}`, 'list_handles')).handles) {
            const info = await handleInfo(session, handle);
            if (info?.webrtc) peers.set(`${session}/${handle}`, info.webrtc);
        }
    }
    return peers;
}

test('a VideoRoom subscriber is offered transport-cc and its feedback drives an estimate',
    async () => {
        const admin = await RoomHandle.attach(await connection.create());
        const room = newRoomId();
        await admin.handle.create({ room });
        const publisher = new Participant(await connection.create(), { room, display: 'pub',
            width: 640, height: 480, fps: 30 });
        const viewerSession = await connection.create();
        const viewer = new Participant(viewerSession, { room, display: 'viewer' });
        try {
            await publisher.join();
            const reply = await publisher.publish();
            await publisher.peer.waitConnected();
            await publisher.publisher.waitType?.('webrtcup', 'publisher webrtcup');
            const streams = reply.streams ?? publisher.configured.streams;
            const { offer } = await viewer.subscribe(subscriptionOf(publisher.feed, streams));
            assert.match(offer.sdp, TWCC_EXTMAP);
            assert.match(offer.sdp, /^a=rtcp-fb:\d+ transport-cc\r?$/m);
            let stats = null;
            await waitUntil(async () => {
                const info = await handleInfo(viewerSession.id, viewer.subscriber.handle.id);
                stats = info.webrtc?.stats;
                return stats?.twcc_feedback_received > 0 && stats.bandwidth_estimate > 600000;
            }, () => `transport-cc feedback and an estimate over 600 kbps (last stats: ${
                JSON.stringify(stats)})`, 30000, 250);
        } finally {
            publisher.close();
            viewer.close();
        }
        await admin.handle.destroy({ room });
    });

test('a WHEP viewer is answered with transport-cc and its feedback drives an estimate',
    async () => {
        const admin = await RoomHandle.attach(await connection.create());
        const room = newRoomId();
        await admin.handle.create({ room });
        const publisher = new Participant(await connection.create(), { room, display: 'pub',
            width: 320, height: 240, fps: 15 });
        const cleanups = [];
        try {
            await publisher.joinAndPublish();
            await publisher.peer.waitConnected();
            const before = new Set((await everyPeer()).keys()); // earlier tests' peers too
            const viewer = new WhepViewer(cleanups);
            const answer = await viewer.play(`${server.origin}/whep/endpoint/${room}`);
            assert.equal(answer.status, 201, answer.body);
            assert.match(answer.body, TWCC_EXTMAP);
            assert.match(answer.body, /^a=rtcp-fb:\d+ transport-cc\r?$/m);
            let seen = [];
            await waitUntil(async () => {
                seen = [...(await everyPeer())].filter(([key]) => !before.has(key))
                    .map(([, webrtc]) => webrtc.bandwidth).filter(Boolean);
                return seen.some((b) => b.estimate > 0);
            }, () => `a PeerConnection with an estimate (saw ${JSON.stringify(seen)})`, 30000, 250);
        } finally {
            for (const cleanup of cleanups.reverse()) await cleanup();
            publisher.close();
        }
        await admin.handle.destroy({ room });
    });
