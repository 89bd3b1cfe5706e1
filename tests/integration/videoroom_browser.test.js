// janus.js, unmodified, in headless Chromium (Debian's package, driven by playwright-core): three
// browser contexts open pages/videoroom.html, join one room, publish the fake camera and
// microphone and subscribe to each other over WebSocket. Every page must show the two others'
// videos with a size and a growing framesDecoded. The page is served by a small HTTP server of
// the test on 127.0.0.1; Chromium runs in the test's network namespace, like the server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, servePage } from './lib/browser.js';
import { waitUntil } from './lib/peer.js';
import { startServer } from './lib/server.js';
import { connectJanode, newRoomId, RoomHandle } from './lib/videoroom.js';

const PAGES = 3;

let server;
let web;
let webPort;
let browser;
let connection;

before(async () => {
    server = await startServer();
    connection = await connectJanode(server);
    web = await servePage('videoroom');
    webPort = web.address().port;
    browser = await launchBrowser();
});

after(async () => {
    await browser?.close();
    web?.close();
    await connection?.close().catch(() => {});
    await server?.stop();
});

test(`${PAGES} janus.js pages in Chromium publish and see each other`, async (t) => {
    const admin = await RoomHandle.attach(await connection.create());
    const room = newRoomId();
    await admin.handle.create({ room, max_publishers: PAGES });
    const names = Array.from({ length: PAGES }, (_, i) => `browser-${i + 1}`);
    const pages = [];
    const logs = [];
    for (const name of names) {
        const context = await browser.newContext();
        const page = await context.newPage();
        page.on('console', (message) => {
            if (['error', 'warning'].includes(message.type())) {
                logs.push(`${name}: ${message.text()}`);
            }
        });
        page.on('pageerror', (error) => logs.push(`${name}: page error ${error.message}`));
        const query = new URLSearchParams({ server: server.wsUrl, room: String(room), name });
        await page.goto(`http://127.0.0.1:${webPort}/pages/videoroom.html?${query}`);
        pages.push({ name, page });
    }
    const report = (entry) => entry.page.evaluate(() => window.report());
    const explain = async () => {
        const reports = await Promise.all(pages.map(report));
        return `${JSON.stringify(reports)}\nconsole: ${logs.slice(-20).join('\n')}`;
    };

    // Everyone publishes, and every page shows the others' videos with a size.
    let last = '';
    await waitUntil(async () => {
        const reports = await Promise.all(pages.map(report));
        last = JSON.stringify(reports.map((r) => r.videos));
        return reports.every((r) => r.published && r.errors.length === 0 &&
            r.videos.filter((v) => v.width > 0 && v.height > 0).length === PAGES - 1);
    }, async () => `every page to show ${PAGES - 1} remote videos (last: ${last})`, 40000, 250)
        .catch(async (error) => {
            error.message += `\n${await explain()}`;
            throw error;
        });

    // The right feeds, and frames keep being decoded on each of them: every video decodes ten
    // more frames (waited for, not timed: the machine may be busy).
    const ids = await Promise.all(pages.map(async (entry) => (await report(entry)).myId));
    const before = await Promise.all(pages.map(report));
    const decodedSince = (i, video) =>
        video.framesDecoded - (before[i].videos.find((v) => v.mid === video.mid)?.framesDecoded ?? 0);
    let now = before;
    await waitUntil(async () => {
        now = await Promise.all(pages.map(report));
        return now.every((current, i) => current.videos.every((v) => decodedSince(i, v) >= 10));
    }, async () => `ten more frames decoded on every video\n${await explain()}`, 20000, 250);
    for (const [i, current] of now.entries()) {
        assert.deepEqual(current.errors, [], `${names[i]} reported errors`);
        const feeds = current.videos.map((v) => v.feed).sort();
        assert.deepEqual(feeds, ids.filter((id, j) => j !== i).sort(),
            `${names[i]} shows ${JSON.stringify(current.videos)}`);
        for (const video of current.videos) {
            assert.ok(video.width >= 160 && video.height >= 120,
                `tiny video ${JSON.stringify(video)}`);
        }
    }
    // The server agrees: three publishers in the room.
    const { participants } = await admin.handle.listParticipants({ room });
    assert.deepEqual(participants.map((p) => p.feed).sort(), [...ids].sort());
    assert.ok(participants.every((p) => p.publisher), JSON.stringify(participants));
    t.diagnostic(`videos: ${JSON.stringify(now.map((r) => r.videos))}`);
});
