// The demo pages in headless Chromium (fake camera and microphone) against the server under
// test, inside the private network namespace: the landing page names the server, the echo
// test shows the person's own video coming back, the streaming page plays a GStreamer-fed
// mountpoint and switches to another, and three people in room 1234 each see the two others
// until one leaves, and a camera sent in three qualities (the room page's simulcast toggle, or
// VP9 SVC from a janus.js publisher) is received in the quality each tile's menu asks for.
// Screenshots go to
// <build>/test-artifacts/web_pages/;
// PRISM_UPDATE_DOCS=1 also copies the three-person room to docs/videoroom.png.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { artifactsDir, browserMissing, forwardConsole, launchBrowser, servePage, waitFor } from './lib/browser.js';
import { demoPages } from './lib/pages.js';
import { againstJanus, startServer } from './lib/server.js';
import { opusVp8Media, RtpSource, StreamHandle } from './lib/streaming.js';
import { connectJanode, newRoomId, RoomHandle } from './lib/videoroom.js';
import { waitUntil } from './lib/peer.js';

const DOCS_SCREENSHOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/videoroom.png');
const VIDEOROOM = 'janus.plugin.videoroom';
const STREAMING = 'janus.plugin.streaming';
const PEOPLE = ['Alice', 'Bob', 'Carol'];
const MEDIA_TIMEOUT_MS = 60000;

// The page's error area: empty while all is well.
async function pageError(page) {
    return page.locator('[role="alert"]').textContent();
}

// Frames decoded so far for the video shown in each matching <video>, from the receiving
// PeerConnection's stats (matched by track id), with the element's decoded size.
async function videoStates(page, selector, pcPath) {
    return page.evaluate(async ({ selector, pcPath }) => {
        const pc = pcPath.split('.').reduce((value, key) => value?.[key], window);
        const decoded = {};
        for (const stats of pc ? (await pc.getStats()).values() : []) {
            if (stats.type === 'inbound-rtp' && stats.kind === 'video') decoded[stats.trackIdentifier] = stats.framesDecoded;
        }
        return [...document.querySelectorAll(selector)].map((video) => {
            const track = video.srcObject?.getVideoTracks()[0];
            const tile = video.closest('.tile');
            return {
                name: tile?.querySelector('.name')?.textContent ?? '',
                width: video.videoWidth,
                framesDecoded: (track && decoded[track.id]) || 0,
            };
        });
    }, { selector, pcPath });
}

// Waits until `count` videos show pictures, then checks each one keeps decoding frames.
async function expectPlaying(page, selector, pcPath, count, label) {
    const first = await waitFor(`${label}: ${count} videos with pictures`, async () => {
        const states = await videoStates(page, selector, pcPath);
        const playing = states.filter((state) => state.width > 0 && state.framesDecoded > 0);
        return states.length === count && playing.length === count ? states : null;
    }, MEDIA_TIMEOUT_MS);
    await page.waitForTimeout(2000);
    const second = await videoStates(page, selector, pcPath);
    assert.equal(second.length, count, `${label}: video count changed`);
    for (let i = 0; i < count; i++) {
        assert.ok(second[i].framesDecoded > first[i].framesDecoded,
            `${label}: ${second[i].name} stopped decoding (${first[i].framesDecoded} -> ${second[i].framesDecoded})`);
    }
    return second;
}

// On the viewer's tile of `name` (its video received on the subscription's PeerConnection),
// picks low, medium and high in the quality menu and waits for that width to be decoded (and
// go on decoding) with the tile saying so; then auto, whose answer (a layer event, said again
// even where the layer stays) the tile shows. Screenshots are named after `label`.
async function menuFollows(t, viewer, name, label, shots) {
    const tile = viewer.locator('.tile.remote.camera', { hasText: name });
    const menu = tile.locator('.quality select');
    await menu.waitFor({ timeout: MEDIA_TIMEOUT_MS });
    assert.deepEqual(await menu.locator('option').allTextContents(), ['auto', 'high', 'medium', 'low']);
    const subscriber = 'prism.room.subscription.handle.webrtcStuff.pc';
    const video = async () => (await videoStates(viewer, '.tile.remote.camera video', subscriber))
        .find((state) => state.name === name);
    for (const [quality, width] of [['low', 320], ['medium', 640], ['high', 1280]]) {
        await menu.selectOption(quality);
        const state = await waitFor(`${width} wide frames after choosing ${quality}`, async () => {
            const current = await video();
            const layer = await tile.locator('.quality .layer').textContent();
            return current?.width === width && layer === `receiving ${quality}` ? current : null;
        }, MEDIA_TIMEOUT_MS);
        // And it keeps decoding at that width.
        await waitFor(`more ${width} wide frames`, async () => {
            const current = await video();
            return current.width === width && current.framesDecoded >= state.framesDecoded + 10;
        }, MEDIA_TIMEOUT_MS);
        await viewer.screenshot({ path: path.join(shots, `${label}-${quality}.png`), fullPage: true });
    }
    // Auto: the server's own choice; the tile's text is cleared here to see it come back.
    await tile.locator('.quality .layer').evaluate((element) => { element.textContent = ''; });
    await menu.selectOption('auto');
    const layer = await waitFor('a layer event after choosing auto', async () => {
        const text = await tile.locator('.quality .layer').textContent();
        return /^receiving (low|medium|high)$/.test(text) ? text : null;
    }, MEDIA_TIMEOUT_MS);
    const before = await video();
    await waitFor('frames decoded on auto', async () => (await video()).framesDecoded >= before.framesDecoded + 10,
        MEDIA_TIMEOUT_MS);
    t.diagnostic(`on auto: ${layer}, ${(await video()).width} wide`);
}

describe('demo pages in Chromium', { skip: browserMissing() || false }, () => {
    let server;
    let pages;
    let browser;
    let shots;

    before(async () => {
        server = await startServer();
        pages = await demoPages(server);
        browser = await launchBrowser();
        shots = artifactsDir('web_pages');
    });

    after(async () => {
        await browser?.close();
        await pages?.close();
        await server?.stop();
    });

    async function open(name, page, query, viewport = { width: 1280, height: 800 }) {
        const context = await browser.newContext({ viewport });
        const tab = await context.newPage();
        forwardConsole(tab, name);
        await tab.goto(pages.url(page, query));
        return tab;
    }

    test('the landing page names the server and lists the demos', async () => {
        const page = await open('index', 'index.html');
        try {
            const info = await (await fetch(server.infoUrl)).json();
            await waitFor('the server name', async () => (await page.locator('#server').textContent()).includes(info.version_string));
            assert.equal(await page.locator('a[data-page="echotest.html"]').count(), 1);
            assert.equal(await page.locator('a[data-page="videoroom.html"]').count(), 1);
            assert.equal(await page.locator('a[data-page="streaming.html"]').count(), 1);
            const whep = page.locator('a[data-page="whep.html"]');
            assert.equal(await whep.count(), 1);
            assert.equal(await whep.getAttribute('href'), 'whep.html');
            const rooms = page.locator('#rooms-status');
            await waitFor('the rooms section to settle', async () => !(await rooms.textContent()).includes('Looking'));
            if (info.plugins[VIDEOROOM]) assert.doesNotMatch(await rooms.textContent(), /Cannot list/);
            else assert.match(await rooms.textContent(), /no VideoRoom plugin/);
            assert.equal(await pageError(page), '');
            await page.screenshot({ path: path.join(shots, 'index.png'), fullPage: true });
        } finally {
            await page.context().close();
        }
    });

    test('the echo test shows the person\'s own video coming back', async () => {
        const page = await open('echotest', 'echotest.html');
        try {
            await page.click('#start');
            await expectPlaying(page, '#remote', 'prism.echo.webrtcStuff.pc', 1, 'echo test');
            await waitFor('live statistics', async () => (await page.locator('#stat-resolution').textContent()).includes('×'));
            assert.equal(await pageError(page), '');
            await page.screenshot({ path: path.join(shots, 'echotest.png'), fullPage: true });
            await page.click('#stop');
            await waitFor('the stop', async () => page.locator('#start').isEnabled());
        } finally {
            await page.context().close();
        }
    });

    test('the streaming page lists mountpoints, plays one and switches to another', async (t) => {
        const info = await (await fetch(server.infoUrl)).json();
        if (againstJanus || !info.plugins?.[STREAMING]) {
            t.skip('mountpoints are created with Prism\'s API and fed on 127.0.0.1 here');
            return;
        }
        const connection = await connectJanode(server);
        const sources = [];
        let page;
        try {
            const admin = await StreamHandle.attach(await connection.create());
            const ids = [];
            for (const [description, width, height] of [['Big pattern', 320, 240], ['Small pattern', 240, 160]]) {
                const { data } = await admin.request({ request: 'create', type: 'rtp', description, media: opusVp8Media() });
                const { id, ports } = data.stream;
                sources.push(new RtpSource({ audioPort: ports[0].port, videoPort: ports[1].port, width, height }));
                ids.push(id);
                await waitUntil(async () => (await admin.request({ request: 'info', id })).data.info.media[1].keyframes >= 1,
                    `a keyframe on mountpoint ${id}`, 30000, 200);
            }
            page = await open('streaming', 'streaming.html', `?id=${ids[0]}`);
            await waitFor('the mountpoint list', async () => (await page.locator('#mountpoint option').count()) >= 2);
            await page.click('#watch');
            const pc = 'prism.streaming.webrtcStuff.pc';
            const states = await expectPlaying(page, '#remote', pc, 1, 'streaming');
            assert.equal(states[0].width, 320);
            await waitFor('live statistics', async () => (await page.locator('#stat-resolution').textContent()).includes('×'));
            await page.screenshot({ path: path.join(shots, 'streaming.png'), fullPage: true });
            await page.selectOption('#mountpoint', String(ids[1]));
            await page.click('#switch');
            await waitFor('the switched video', async () => (await videoStates(page, '#remote', pc))[0]?.width === 240, MEDIA_TIMEOUT_MS);
            await expectPlaying(page, '#remote', pc, 1, 'streaming after the switch');
            assert.equal(await pageError(page), '');
            await page.click('#stop');
            await waitFor('the stop', async () => page.locator('#watch').isEnabled());
        } finally {
            await page?.context().close();
            for (const source of sources) source.stop();
            await connection.close().catch(() => {});
        }
    });

    // One tab publishes with the simulcast toggle on (janus.js's `simulcast: true`, the fake
    // camera at 1280x720: layers 1280, 640 and 320 wide); the other picks low, medium and high
    // in the sender's tile menu and decodes that width, then auto, which the server answers
    // with a "substream" event the tile shows.
    test('a simulcast camera arrives in the quality the tile\'s menu asks for', async (t) => {
        const info = await (await fetch(server.infoUrl)).json();
        if (!info.plugins?.[VIDEOROOM]) {
            t.skip(`${VIDEOROOM} is not in GET /janus/info yet`);
            return;
        }
        const connection = await connectJanode(server);
        const tabs = [];
        try {
            const admin = await RoomHandle.attach(await connection.create());
            const room = newRoomId();
            await admin.handle.create({ room, videocodec: 'vp8' });
            const sender = await open('Sender', 'videoroom.html', `?room=${room}&name=Sender&simulcast=1`);
            tabs.push(sender);
            assert.equal(await sender.isChecked('#simulcast'), true, 'the toggle follows ?simulcast=1');
            await sender.click('#join');
            // The busy test machine's encoder must not trade resolution for frame rate: the
            // widths are what is checked.
            const layers = await waitFor('the sender to send three layers', () => sender.evaluate(async () => {
                const pc = window.prism?.room?.publisher?.webrtcStuff?.pc;
                if (!pc) return null;
                const widths = [];
                for (const s of pc.getSenders()) {
                    if (s.track?.kind !== 'video') continue;
                    const parameters = s.getParameters();
                    if (parameters.degradationPreference !== 'maintain-resolution') {
                        parameters.degradationPreference = 'maintain-resolution';
                        await s.setParameters(parameters);
                    }
                }
                for (const stats of (await pc.getStats()).values()) {
                    if (stats.type === 'outbound-rtp' && stats.kind === 'video' && stats.framesEncoded > 0) {
                        widths.push(stats.frameWidth);
                    }
                }
                return widths.length === 3 ? widths.sort((a, b) => a - b) : null;
            }), MEDIA_TIMEOUT_MS);
            assert.deepEqual(layers, [320, 640, 1280]);

            const viewer = await open('Viewer', 'videoroom.html', `?room=${room}&name=Viewer`);
            tabs.push(viewer);
            await viewer.click('#join');
            await menuFollows(t, viewer, 'Sender', 'videoroom-quality', shots);
            assert.equal(await pageError(viewer), '');
            assert.equal(await pageError(sender), '');
        } finally {
            for (const tab of tabs) await tab.context().close();
            await connection.close().catch(() => {});
        }
    });

    // A janus.js publisher (the simulcast test page) sends the fake camera at 1280x720 as VP9
    // with `svc: 'L3T3_KEY'`: one stream, spatial layers 320, 640 and 1280 wide. The viewer's
    // tile gets the same menu once the server says the stream is SVC (a "spatial_layer" event
    // or the "svc" object), and its choices ("substream", which the server reads as the
    // spatial layer) change the width decoded, as the "spatial_layer" events say.
    test('a VP9 SVC camera gets the same menu and arrives in the quality it asks for', async (t) => {
        const info = await (await fetch(server.infoUrl)).json();
        if (againstJanus || !info.plugins?.[VIDEOROOM]) {
            t.skip('Janus reads no "substream" of an SVC stream: only Prism\'s menu works on it');
            return;
        }
        const connection = await connectJanode(server);
        const page = await servePage('simulcast');
        const tabs = [];
        try {
            const admin = await RoomHandle.attach(await connection.create());
            const room = newRoomId();
            await admin.handle.create({ room, videocodec: 'vp9' });
            const context = await browser.newContext();
            const sender = await context.newPage();
            tabs.push(sender);
            forwardConsole(sender, 'SVC sender');
            const search = new URLSearchParams({ server: server.wsUrl, room: String(room), role: 'publisher', svc: 'L3T3_KEY' });
            await sender.goto(`http://127.0.0.1:${page.address().port}/pages/simulcast.html?${search}`);
            const sent = await waitFor('the publisher to send 1280x720 VP9 L3T3_KEY', async () => {
                const report = await sender.evaluate(() => window.report());
                assert.deepEqual(report.errors, []);
                const layer = report.layers[0];
                return report.published && layer?.framesEncoded > 0 && layer.width === 1280 ? report.layers : null;
            }, MEDIA_TIMEOUT_MS);
            assert.equal(sent.length, 1, 'SVC is one RTP stream');
            assert.equal(sent[0].mode, 'L3T3_KEY');

            const viewer = await open('SVC viewer', 'videoroom.html', `?room=${room}&name=Viewer`);
            tabs.push(viewer);
            await viewer.click('#join');
            await menuFollows(t, viewer, 'publisher', 'videoroom-svc-quality', shots);
            assert.equal(await pageError(viewer), '');
        } finally {
            for (const tab of tabs) await tab.context().close();
            page.close();
            await connection.close().catch(() => {});
        }
    });

    test('three people in room 1234 see each other, and a leaver\'s tile goes', async (t) => {
        const info = await (await fetch(server.infoUrl)).json();
        if (!info.plugins?.[VIDEOROOM]) {
            // Runs by itself once the plugin is listed; a listed plugin never skips this test.
            t.skip(`${VIDEOROOM} is not in GET /janus/info yet`);
            return;
        }
        const people = [];
        try {
            for (const [index, name] of PEOPLE.entries()) {
                // The last person uses a phone-sized window, to check the grid there.
                const viewport = index === 2 ? { width: 390, height: 844 } : { width: 1280, height: 800 };
                const page = await open(name, 'videoroom.html', `?room=1234&name=${name}`, viewport);
                await page.click('#join');
                people.push(page);
            }
            const remote = '.tile.remote.camera video';
            const subscriber = 'prism.room.subscription.handle.webrtcStuff.pc';
            for (const [index, page] of people.entries()) {
                const states = await expectPlaying(page, remote, subscriber, 2, PEOPLE[index]);
                const others = PEOPLE.filter((name) => name !== PEOPLE[index]).sort();
                assert.deepEqual(states.map((state) => state.name).sort(), others);
                assert.equal(await pageError(page), '', `${PEOPLE[index]} sees an error`);
            }
            for (const [index, page] of people.entries()) {
                await page.screenshot({ path: path.join(shots, `videoroom-${PEOPLE[index]}.png`), fullPage: true });
            }
            if (process.env.PRISM_UPDATE_DOCS === '1') {
                mkdirSync(path.dirname(DOCS_SCREENSHOT), { recursive: true });
                copyFileSync(path.join(shots, 'videoroom-Alice.png'), DOCS_SCREENSHOT);
            }

            await people[2].click('#leave');
            for (const page of people.slice(0, 2)) {
                await waitFor('Carol\'s tile to go', async () => {
                    const names = await page.locator('.tile.remote.camera .name').allTextContents();
                    return names.length === 1 && !names.includes('Carol');
                }, MEDIA_TIMEOUT_MS);
            }
            await expectPlaying(people[0], remote, subscriber, 1, 'Alice after Carol left');
            await people[0].screenshot({ path: path.join(shots, 'videoroom-after-leave.png'), fullPage: true });
        } finally {
            for (const page of people) await page.context().close();
        }
    });
});
