// VideoRoom churn: many short cycles of join, publish, subscribe, media, leave (two libwebrtc
// peers each: a publisher and a subscriber to it), ending four different ways (unpublish then
// leave, leave while publishing, session destroy, PeerConnections closed first). An observer
// in the room must see every publisher come and go, the room must end with only the observer
// in it, and the server must end where it started: file descriptors back to the baseline, a
// resident size that stops growing, and under ASan no leak at exit (LeakSanitizer makes the
// exit status non-zero, which stop() reports).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitUntil } from './lib/peer.js';
import { startServer } from './lib/server.js';
import { connectJanode, midsByFeed, newRoomId, Participant, RoomHandle, subscriptionOf,
    VideoRoomPlugin } from './lib/videoroom.js';

const CYCLES = Number(process.env.PRISM_VR_CHURN_CYCLES || 200);
const PARALLEL = 4; // cycles in flight at once
const WARM_UP = 20; // cycles before the resident size is taken as the reference
const FD_SLACK = 4;
const RSS_GROWTH_LIMIT = 48 * 1024 * 1024;
const SIZE = { width: 128, height: 96 };

let server;
let connection;

before(async () => {
    // A small ASan quarantine, so freed memory is reused and the resident size means something.
    const asan = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=16'].filter(Boolean).join(':');
    server = await startServer({ ASAN_OPTIONS: asan });
    connection = await connectJanode(server);
});

after(async () => {
    await connection?.close().catch(() => {});
    await server?.stop();
});

// One cycle in `room`: a publisher and a subscriber to it in a session of their own, media
// both kinds, then an ending chosen by `n`.
async function cycle(room, n) {
    const session = await connection.create();
    const participant = new Participant(session, { room, display: `churn-${n}`, ...SIZE, fps: 15 });
    try {
        await participant.join();
        const configured = await participant.publish();
        await participant.peer.waitConnected();
        await participant.publisher.waitType('webrtcup', 'the publisher webrtcup');
        const { attached, started } = await participant.subscribe(
            subscriptionOf(participant.feed, configured.streams));
        assert.equal(started.started, 'ok');
        const mids = midsByFeed(attached.streams);
        await participant.sub.waitConnected();
        await participant.sub.waitFrames(mids.get(`${participant.feed}/video`), SIZE, 3);
        await participant.sub.waitAudio(mids.get(`${participant.feed}/audio`), 5);

        const ending = n % 4;
        if (ending === 0) {
            // The polite way: unpublish, leave on both handles, detach.
            const unpublished = await participant.publisher.handle.unpublish();
            assert.equal(unpublished.feed, participant.feed);
            await participant.publisher.handle.leave();
            await participant.subscriber.handle.leave();
            await participant.publisher.handle.detach();
            await participant.subscriber.handle.detach();
            participant.close();
            await session.destroy();
        } else if (ending === 1) {
            // Leave while still publishing, then detach.
            const left = await participant.publisher.handle.leave();
            assert.equal(left.feed, participant.feed);
            await participant.publisher.handle.detach();
            await participant.subscriber.handle.detach();
            participant.close();
            await session.destroy();
        } else if (ending === 2) {
            await session.destroy(); // handles go with the session
            participant.close();
        } else {
            participant.close(); // the PeerConnections go first, the server notices
            await participant.publisher.waitType('hangup', 'the publisher hangup',
                { timeoutMs: 15000 });
            await session.destroy();
        }
        return participant.feed;
    } catch (error) {
        participant.close();
        await session.destroy().catch(() => {});
        error.message = `cycle ${n}: ${error.message}`;
        throw error;
    }
}

test(`${CYCLES} join/publish/subscribe/leave cycles leave the server as found`, async (t) => {
    const admin = await RoomHandle.attach(await connection.create());
    const room = newRoomId();
    await admin.handle.create({ room, max_publishers: PARALLEL + 2 });
    // The observer is a participant that never publishes.
    const observer = new Participant(await connection.create(), { room, display: 'observer' });
    await observer.join();
    const announced = new Set();
    const gone = new Set();
    const { EVENT } = VideoRoomPlugin;
    observer.publisher.handle.on(EVENT.VIDEOROOM_PUB_LIST, ({ publishers }) => {
        for (const publisher of publishers) announced.add(publisher.feed);
    });
    observer.publisher.handle.on(EVENT.VIDEOROOM_UNPUBLISHED, ({ feed }) => gone.add(feed));
    observer.publisher.handle.on(EVENT.VIDEOROOM_LEAVING, ({ feed }) => gone.add(feed));
    const baselineFds = server.fdCount();
    let referenceRss = 0;
    const feeds = [];
    const started = Date.now();
    for (let n = 0; n < CYCLES; n += PARALLEL) {
        const batch = [];
        for (let k = n; k < Math.min(n + PARALLEL, CYCLES); k++) batch.push(cycle(room, k));
        feeds.push(...(await Promise.all(batch)));
        if (n + PARALLEL === WARM_UP) referenceRss = server.rssBytes();
        if ((n + PARALLEL) % 50 === 0) {
            await waitUntil(() => server.fdCount() <= baselineFds + FD_SLACK,
                () => `fds back near ${baselineFds} after ${n + PARALLEL} cycles ` +
                    `(now ${server.fdCount()})`,
                10000, 100);
            observer.publisher.messages.length = 0; // keep the record small over a long run
        }
    }

    // Every feed left the room, and the room holds the observer alone.
    await waitUntil(async () => {
        const { participants } = await admin.handle.listParticipants({ room });
        return participants.length === 1;
    }, 'the room to hold only the observer', 10000, 200);
    const { participants } = await admin.handle.listParticipants({ room });
    assert.deepEqual(participants.map((p) => p.feed), [observer.feed]);
    assert.equal(new Set(feeds).size, CYCLES, 'a feed id was handed out twice');
    await waitUntil(() => feeds.every((feed) => gone.has(feed)),
        () => `the observer to see every publisher go ` +
            `(${feeds.filter((f) => !gone.has(f)).length} left)`);
    const unannounced = feeds.filter((feed) => !announced.has(feed));
    assert.deepEqual(unannounced, [], 'publishers the observer never heard of');

    await waitUntil(() => server.fdCount() <= baselineFds + FD_SLACK,
        () => `fds back to ${baselineFds} (+${FD_SLACK}) after ${CYCLES} cycles: ` +
            `${server.fdCount()}`,
        15000, 200);
    const growth = server.rssBytes() - referenceRss;
    t.diagnostic(`${CYCLES} cycles in ${Date.now() - started} ms; resident size grew by ` +
        `${Math.round(growth / 1024)} KiB after cycle ${WARM_UP}; fds ${server.fdCount()} ` +
        `(baseline ${baselineFds})`);
    assert.ok(growth < RSS_GROWTH_LIMIT,
        `resident size grew by ${Math.round(growth / 1048576)} MiB over ` +
        `${CYCLES - WARM_UP} cycles`);
    await admin.handle.destroy({ room });
});
