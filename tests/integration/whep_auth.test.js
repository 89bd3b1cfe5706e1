// WHIP/WHEP Bearer tokens against the API's credentials (general.api_secret, token_auth with a
// token_auth_secret): the Bearer must be the API secret or a signed token listing the plugin
// behind the endpoint (videoroom for /whip/endpoint and /whep/endpoint, streaming for
// /whep/mountpoint); wrong or missing: 401 with a JSON body and WWW-Authenticate: Bearer.
// A room's or mountpoint's pin then comes as ?pin=. PATCH and DELETE need the credentials too.
// The Bearer token is also the room token: a room with an `allowed` list admits a WHIP
// publisher or WHEP viewer whose signed token is in it, and answers 401 to others.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import Janode from 'janode';
import StreamingPlugin from 'janode/plugins/streaming';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import { browserMissing, forwardConsole, launchBrowser, waitFor } from './lib/browser.js';
import { EchoPeer, waitUntil } from './lib/peer.js';
import { startServer } from './lib/server.js';
import { opusVp8Media } from './lib/streaming.js';
import { newRoomId } from './lib/videoroom.js';
import { whipDelete, whipError, whipPatch, whipPost } from './lib/whip.js';
import { WhepViewer } from './lib/whep_viewer.js';

const API_SECRET = 'whep-api-secret';
const TOKEN_SECRET = 'whep-token-secret';
const PIN = 'mp-pin';

let server;
let connection;
let mountpoint;
let lockedMountpoint;
let room;
let streaming;
let rooms;
const cleanups = [];

// A token signed as an application signs it for Janus (token_auth_secret).
function signToken(plugins, expiry = Math.floor(Date.now() / 1000) + 3600) {
    const data = [expiry, 'janus', ...plugins].join(',');
    return `${data}:${createHmac('sha1', TOKEN_SECRET).update(data).digest('base64')}`;
}

before(async () => {
    server = await startServer({ PRISM_GENERAL_API_SECRET: API_SECRET,
        PRISM_GENERAL_TOKEN_AUTH: 'true', PRISM_GENERAL_TOKEN_AUTH_SECRET: TOKEN_SECRET });
    Janode.Logger.setLevel(process.env.JANODE_LOG_LEVEL || 'warning');
    connection = await Janode.connect({ address: { url: server.wsUrl, apisecret: API_SECRET },
        max_retries: 1 });
    const session = await connection.create();
    streaming = await session.attach(StreamingPlugin);
    const create = async (extra) => {
        const reply = await streaming.message({ request: 'create', type: 'rtp',
            media: opusVp8Media(), ...extra });
        assert.equal(reply.plugindata.data.streaming, 'created', JSON.stringify(reply));
        return reply.plugindata.data.stream.id;
    };
    mountpoint = await create({});
    lockedMountpoint = await create({ pin: PIN });
    rooms = await session.attach(VideoRoomPlugin);
    room = newRoomId();
    const created = await rooms.message({ request: 'create', room });
    assert.equal(created.plugindata.data.videoroom, 'created', JSON.stringify(created));
});

after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await connection?.close().catch(() => {});
    await server?.stop();
});

const mountpointUrl = (id, query = '') => `${server.origin}/whep/mountpoint/${id}${query}`;

function assertUnauthorized(answer, what) {
    assert.equal(answer.status, 401, `${what}: ${answer.body}`);
    assert.equal(answer.headers.get('www-authenticate'), 'Bearer', what);
    assert.equal(whipError(answer).code, 401, what);
    assert.match(whipError(answer).error, /unauthorized/i, what);
}

test('without the API secret or a token, every endpoint answers 401', async () => {
    const offer = await new WhepViewer(cleanups).offer();
    const endpoints = [mountpointUrl(mountpoint), `${server.origin}/whep/endpoint/${room}`,
        `${server.origin}/whip/endpoint/${room}`];
    for (const url of endpoints) {
        assertUnauthorized(await whipPost(url, offer), `${url} without a Bearer`);
        assertUnauthorized(await whipPost(url, offer, { token: 'wrong' }), `${url} wrong`);
        // The room's pin is not enough when API credentials are on.
        assertUnauthorized(await whipPost(url, offer, { token: PIN }), `${url} with a pin`);
    }
    // An expired or forged token neither.
    assertUnauthorized(await whipPost(mountpointUrl(mountpoint), offer,
        { token: signToken([StreamingPlugin.id], 1000) }), 'expired token');
    assertUnauthorized(await whipPost(mountpointUrl(mountpoint), offer,
        { token: `${signToken([StreamingPlugin.id])}x` }), 'forged token');
});

test('the API secret or a token for the plugin plays; a token for another plugin does not',
    async () => {
        const bySecret = new WhepViewer(cleanups);
        const answer = await bySecret.play(mountpointUrl(mountpoint), { token: API_SECRET });
        assert.equal(answer.status, 201, answer.body);
        const streamingToken = signToken([StreamingPlugin.id]);
        const byToken = new WhepViewer(cleanups);
        const tokenAnswer = await byToken.play(mountpointUrl(mountpoint), { token: streamingToken });
        assert.equal(tokenAnswer.status, 201, tokenAnswer.body);
        // That token may not drive the VideoRoom, and a VideoRoom token not the mountpoint.
        const offer = await new WhepViewer(cleanups).offer();
        assertUnauthorized(await whipPost(`${server.origin}/whep/endpoint/${room}`, offer,
            { token: streamingToken }), 'streaming token on a room');
        assertUnauthorized(await whipPost(mountpointUrl(mountpoint), offer,
            { token: signToken([VideoRoomPlugin.id]) }), 'videoroom token on a mountpoint');
        // A room token reaches the VideoRoom (which answers that nobody publishes yet).
        const roomToken = await whipPost(`${server.origin}/whep/endpoint/${room}`, offer,
            { token: signToken([VideoRoomPlugin.id]) });
        assert.equal(roomToken.status, 409, roomToken.body);

        // The resources need the credentials too.
        const resource = `${server.origin}${byToken.location}`;
        assertUnauthorized(await whipPatch(resource, 'a=end-of-candidates\r\n'), 'PATCH bare');
        assertUnauthorized(await whipDelete(resource, { token: 'wrong' }), 'DELETE wrong');
        assert.equal((await whipPatch(resource, 'a=end-of-candidates\r\n',
            { token: streamingToken })).status, 204);
        assert.equal((await whipDelete(resource, { token: streamingToken })).status, 200);
        assert.equal((await whipDelete(`${server.origin}${bySecret.location}`,
            { token: API_SECRET })).status, 200);
    });

test('with API credentials on, a mountpoint\'s pin comes as ?pin=', async () => {
    const offer = await new WhepViewer(cleanups).offer();
    const noPin = await whipPost(mountpointUrl(lockedMountpoint), offer, { token: API_SECRET });
    assertUnauthorized(noPin, 'no pin');
    assert.match(whipError(noPin).error, /pin/i);
    const wrongPin = await whipPost(mountpointUrl(lockedMountpoint, '?pin=nope'), offer,
        { token: API_SECRET });
    assertUnauthorized(wrongPin, 'wrong pin');
    const viewer = new WhepViewer(cleanups);
    const answer = await viewer.play(mountpointUrl(lockedMountpoint, `?pin=${PIN}`),
        { token: API_SECRET });
    assert.equal(answer.status, 201, answer.body);
    assert.equal((await whipDelete(`${server.origin}${viewer.location}`, { token: API_SECRET }))
        .status, 200);
});

test('a room with an allowed list admits the signed token it lists, for WHIP and WHEP',
    async () => {
        const listed = signToken([VideoRoomPlugin.id]);
        const other = signToken([VideoRoomPlugin.id], Math.floor(Date.now() / 1000) + 7200);
        const locked = newRoomId();
        const created = await rooms.message({ request: 'create', room: locked, allowed: [listed] });
        assert.equal(created.plugindata.data.videoroom, 'created', JSON.stringify(created));
        const whipUrl = `${server.origin}/whip/endpoint/${locked}`;
        const publisher = new EchoPeer({ dataChannel: false });
        cleanups.push(async () => publisher.close());
        const offer = (await publisher.completeOffer()).sdp;
        // A valid token that is not in the list passes the API but not the room; so does the
        // API secret, which is no room token.
        const refusals = [[other, 'an unlisted token'], [API_SECRET, 'the API secret']];
        for (const [token, what] of refusals) {
            const refused = await whipPost(whipUrl, offer, { token });
            assert.equal(refused.status, 401, `${what}: ${refused.body}`);
            assert.match(whipError(refused).error, /allowed/, what);
        }
        const published = await whipPost(whipUrl, offer, { token: listed });
        assert.equal(published.status, 201, published.body);
        await publisher.applyAnswer({ type: 'answer', sdp: published.body });
        await publisher.waitConnected();

        const whepUrl = `${server.origin}/whep/endpoint/${locked}`;
        const unlisted = await new WhepViewer(cleanups).play(whepUrl, { token: other });
        assert.equal(unlisted.status, 401, unlisted.body);
        const viewer = new WhepViewer(cleanups);
        const played = await viewer.play(whepUrl, { token: listed });
        assert.equal(played.status, 201, played.body);
        await waitUntil(() => viewer.frames.length > 0, 'the WHEP viewer to decode a frame', 20000);
        assert.equal((await whipDelete(`${server.origin}${viewer.location}`, { token: listed }))
            .status, 200);
        assert.equal((await whipDelete(`${server.origin}${published.headers.get('location')}`,
            { token: listed })).status, 200);
    });

test('web/whep.html with an API token plays a mountpoint and its Stop deletes the resource',
    { skip: browserMissing() || false }, async () => {
        const browser = await launchBrowser();
        cleanups.push(async () => browser.close());
        const page = await (await browser.newContext()).newPage();
        forwardConsole(page, 'whep.html');
        await page.goto(`${server.origin}/whep.html?mountpoint=${lockedMountpoint}`);
        await page.fill('#token', signToken([StreamingPlugin.id]));
        await page.fill('#pin', PIN);
        const endpoint = await page.textContent('#endpoint');
        assert.match(endpoint, new RegExp(`/whep/mountpoint/${lockedMountpoint}\\?pin=`));
        assert.ok(!endpoint.includes(PIN), 'the page shows the pin');
        await page.click('#play');
        const played = await waitFor('the page to get its answer', async () => page.evaluate(() => {
            const error = document.querySelector('[role="alert"]').textContent;
            return error ? { error } : (window.prism?.pc?.remoteDescription ? { ok: true } : null);
        }), 30000);
        assert.equal(played.error, undefined, played.error);
        const viewers = async () => (await streaming.message({ request: 'info',
            id: lockedMountpoint })).plugindata.data.info.viewers;
        assert.equal(await viewers(), 1);
        await page.click('#stop');
        await waitUntil(async () => (await viewers()) === 0, 'Stop to delete the resource');
    });
