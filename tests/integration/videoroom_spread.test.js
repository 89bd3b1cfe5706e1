// A broadcast spread over both workers: a room with `spread_subscribers: 4` keeps its first
// four subscribers on its own worker and places the next ones on the least-loaded worker,
// where the publisher's packets arrive through the relay (media/relay). With two workers,
// twelve libwebrtc subscribers (wrtc, through janode) must all decode the publisher's video
// and audio, some on each worker; a third publisher's data channel messages reach a subscriber
// on the other worker; then a subscriber on the other worker is paused and resumed,
// switched to a second publisher and back, unsubscribes and leaves, and a publisher leaving
// takes its streams away from subscribers on both workers, and destroying the room reaches them
// all.
//
// Which worker a subscriber is on shows in its offer: in single-port mode (media.ice_mode
// "lite") a worker's candidate port is media.udp_port + its index. So this test runs the
// server in that mode itself, whatever PRISM_TEST_ICE_MODE says.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitUntil } from './lib/peer.js';
import { freeUdpPorts, startServer } from './lib/server.js';
import { connectJanode, midsByFeed, newRoomId, Participant, pluginData, RoomHandle,
    subscriptionOf } from './lib/videoroom.js';

const SUBSCRIBERS = 12;
const SPREAD_AFTER = 4;
const PUBLISHER_SIZE = { width: 176, height: 144 };
const SECOND_SIZE = { width: 160, height: 112 };

let server;
let connection;
let admin;
let udpPort;
const everyone = [];

before(async () => {
    udpPort = await freeUdpPorts(2);
    server = await startServer({ PRISM_GENERAL_WORKERS: '2', PRISM_MEDIA_ICE_MODE: 'lite',
        PRISM_MEDIA_UDP_PORT: String(udpPort) });
    connection = await connectJanode(server);
    admin = await RoomHandle.attach(await connection.create());
});

after(async () => {
    for (const participant of everyone) participant.close();
    await connection?.close().catch(() => {});
    await server?.stop();
});

// The worker a subscriber's PeerConnection lives on, from the candidate port of its offer.
function workerOf(offer) {
    const ports = [...offer.sdp.matchAll(/^a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ host/gmi)]
        .map((m) => Number(m[1]));
    assert.ok(ports.length > 0, `no host candidate in the offer:\n${offer.sdp}`);
    const worker = ports[0] - udpPort;
    assert.ok(worker === 0 || worker === 1, `candidate port ${ports[0]} is no worker's`);
    return worker;
}

async function publisher(room, size, display, { data = false } = {}) {
    const participant = new Participant(await connection.create(), { room, display, data,
        ...size });
    everyone.push(participant);
    await participant.joinAndPublish();
    await participant.peer.waitConnected();
    await participant.publisher.waitType('webrtcup', `webrtcup for ${display}`);
    participant.streams = participant.configured.streams;
    return participant;
}

const call = { room: 0, alice: null, bob: null, viewers: [] };

test('twelve subscribers of a large room decode the publisher on both workers', async () => {
    call.room = newRoomId();
    const reply = await admin.handle.message({ request: 'create', room: call.room,
        publishers: 4, spread_subscribers: SPREAD_AFTER });
    assert.equal(pluginData(reply)?.videoroom ?? reply.plugindata?.data?.videoroom, 'created',
        JSON.stringify(reply));
    call.alice = await publisher(call.room, PUBLISHER_SIZE, 'alice');
    call.bob = await publisher(call.room, SECOND_SIZE, 'bob');
    const streams = subscriptionOf(call.alice.feed, call.alice.streams);
    for (let i = 0; i < SUBSCRIBERS; i++) {
        // One after the other: the room counts its subscribers as they join.
        const viewer = new Participant(await connection.create(), { room: call.room,
            display: `viewer${i}` });
        everyone.push(viewer);
        const { attached } = await viewer.subscribe(streams);
        viewer.worker = workerOf(attached.jsep);
        viewer.mids = midsByFeed(pluginData(viewer.subscriber.messages
            .find((m) => pluginData(m)?.videoroom === 'attached'))?.streams);
        call.viewers.push(viewer);
    }
    const onWorker = [0, 1].map((w) => call.viewers.filter((v) => v.worker === w).length);
    assert.ok(onWorker[0] >= 1 && onWorker[1] >= 1,
        `subscribers per worker: ${onWorker.join(' / ')}`);
    // The first ones stay with the room, wherever it is.
    const roomWorker = call.viewers[0].worker;
    for (const viewer of call.viewers.slice(0, SPREAD_AFTER)) {
        assert.equal(viewer.worker, roomWorker, 'a subscriber of a small room left its worker');
    }
    for (const viewer of call.viewers) {
        const video = viewer.mids.get(`${call.alice.feed}/video`);
        const audio = viewer.mids.get(`${call.alice.feed}/audio`);
        await viewer.sub.waitFrames(video, PUBLISHER_SIZE, 10);
        await viewer.sub.waitAudio(audio, 20);
    }
});

// A subscriber on the worker the room is not on.
function remoteViewer() {
    const roomWorker = call.viewers[0].worker;
    const viewer = call.viewers.find((v) => v.worker !== roomWorker);
    assert.ok(viewer, 'no subscriber on the other worker');
    return viewer;
}

test('a publisher\'s data channel messages reach a subscriber on the other worker', async () => {
    const carol = await publisher(call.room, SECOND_SIZE, 'carol', { data: true });
    await carol.peer.waitChannelOpen();
    const video = carol.streams.find((s) => s.type === 'video');
    const data = carol.streams.find((s) => s.type === 'data');
    assert.ok(video && data, `carol's streams: ${JSON.stringify(carol.streams)}`);
    // New subscribers go to the least-loaded worker: join until one lands on the other one.
    const roomWorker = call.viewers[0].worker;
    let remote = null;
    for (let i = 0; i < 10 && !remote; i++) {
        const viewer = new Participant(await connection.create(), { room: call.room,
            display: `data${i}` });
        everyone.push(viewer);
        const { attached } = await viewer.subscribe([
            { feed: carol.feed, mid: video.mid }, { feed: carol.feed, mid: data.mid }]);
        if (workerOf(attached.jsep) !== roomWorker) remote = viewer;
    }
    assert.ok(remote, 'no data subscriber was placed on the other worker');
    await remote.sub.waitConnected();
    // The channel towards the subscriber may open with the first message relayed: knock until
    // it hears something, then check a numbered sequence in order and a binary message.
    await waitUntil(() => {
        carol.peer.channel.send('knock');
        return remote.sub.dataMessages.length > 0;
    }, () => 'the subscriber on the other worker to get data', 10000, 200);
    const sequence = Array.from({ length: 20 }, (_, i) => `message ${i} from carol`);
    for (const text of sequence) carol.peer.channel.send(text);
    const blob = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
    carol.peer.channel.send(blob);
    const texts = () => remote.sub.dataMessages.map((m) => m.data)
        .filter((d) => typeof d === 'string' && d.startsWith('message '));
    await waitUntil(() => texts().length >= sequence.length,
        () => `${sequence.length} messages (got ${texts().length})`);
    assert.deepEqual(texts(), sequence);
    const binary = () => remote.sub.dataMessages.find((m) => m.data instanceof ArrayBuffer);
    await waitUntil(binary, 'the binary message');
    assert.deepEqual(new Uint8Array(binary().data), blob);
});

test('a subscriber on the other worker pauses, resumes and switches publisher', async () => {
    const viewer = remoteViewer();
    const video = viewer.mids.get(`${call.alice.feed}/video`);
    const paused = await viewer.subscriber.handle.pause();
    assert.equal(paused.paused ?? 'ok', 'ok');
    await viewer.subscriber.handle.start({});
    let mark = viewer.sub.framesSoFar(video);
    await viewer.sub.waitFrames(video, PUBLISHER_SIZE, 5, { from: mark });

    const bobVideo = call.bob.streams.find((s) => s.type === 'video').mid;
    const aliceVideo = call.alice.streams.find((s) => s.type === 'video').mid;
    const switched = await viewer.subscriber.handle.message({ request: 'switch', streams: [
        { feed: call.bob.feed, mid: bobVideo, sub_mid: video }] });
    assert.equal(switched.plugindata?.data?.switched, 'ok', JSON.stringify(switched));
    mark = viewer.sub.framesSoFar(video);
    await viewer.sub.waitFrames(video, SECOND_SIZE, 5, { from: mark });
    await viewer.subscriber.handle.message({ request: 'switch', streams: [
        { feed: call.alice.feed, mid: aliceVideo, sub_mid: video }] });
    mark = viewer.sub.framesSoFar(video);
    await viewer.sub.waitFrames(video, PUBLISHER_SIZE, 5, { from: mark });
});

test('a subscriber on the other worker unsubscribes a stream and leaves', async () => {
    const viewer = remoteViewer();
    const audio = call.alice.streams.find((s) => s.type === 'audio').mid;
    const mark = viewer.subscriber.messages.length;
    const reply = await viewer.subscriber.handle.message({ request: 'unsubscribe',
        streams: [{ feed: call.alice.feed, mid: audio }] });
    const updated = reply.jsep ? reply : await viewer.subscriber.waitNotification(
        (d, m) => d.videoroom === 'updated' && m.jsep, 'the offer without audio', { from: mark });
    await viewer.answerUpdate(updated);
    const left = await viewer.subscriber.handle.message({ request: 'leave' });
    assert.equal(left.plugindata?.data?.left, 'ok', JSON.stringify(left));
    call.viewers.splice(call.viewers.indexOf(viewer), 1);
    // The others on that worker keep receiving.
    const other = call.viewers.find((v) => v.worker === viewer.worker);
    if (other) {
        const video = other.mids.get(`${call.alice.feed}/video`);
        await other.sub.waitFrames(video, PUBLISHER_SIZE, 5,
            { from: other.sub.framesSoFar(video) });
    }
});

test('a publisher leaving is taken away from subscribers on both workers', async () => {
    const marks = call.viewers.map((v) => v.subscriber.messages.length);
    await call.alice.publisher.handle.leave();
    for (const [i, viewer] of call.viewers.entries()) {
        // autoupdate: the server offers again without the publisher's streams.
        const updated = await viewer.subscriber.waitNotification(
            (d, m) => d.videoroom === 'updated' && m.jsep,
            `viewer on worker ${viewer.worker} to lose the publisher`, { from: marks[i] });
        const active = (pluginData(updated).streams ?? []).filter((s) => s.active !== false &&
            s.feed_id === call.alice.feed);
        assert.equal(active.length, 0, JSON.stringify(pluginData(updated)));
    }
});

test('destroying the room tells subscribers on both workers', async () => {
    const marks = call.viewers.map((v) => v.subscriber.messages.length);
    const reply = await admin.handle.message({ request: 'destroy', room: call.room });
    assert.equal(reply.plugindata?.data?.videoroom, 'destroyed', JSON.stringify(reply));
    for (const [i, viewer] of call.viewers.entries()) {
        await viewer.subscriber.waitNotification((d) => d.videoroom === 'destroyed',
            `viewer on worker ${viewer.worker} to hear the room is gone`, { from: marks[i] });
    }
    // They left it: a request about it now fails as for any handle that is in no room.
    const viewer = remoteViewer();
    const paused = await viewer.subscriber.handle.pause().catch((error) => error);
    assert.ok(paused instanceof Error, `pause after destroy: ${JSON.stringify(paused)}`);
});
