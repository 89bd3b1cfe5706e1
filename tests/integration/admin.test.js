// The Admin API on its own listeners, used by unmodified clients: janode's admin connection over
// WebSocket (subprotocol janus-admin-protocol) and plain POSTs to /admin. It manages stored
// tokens that janode's Janus API connection then uses, and lists, inspects and ends the sessions
// and handles of that connection.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Janode from 'janode';
import EchoTestPlugin from 'janode/plugins/echotest';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import WebSocket from 'ws';
import { attachEcho, negotiate, waitMediaEvents } from './lib/echo.js';
import { ECHOTEST, transaction } from './lib/http.js';
import { EchoPeer, waitUntil } from './lib/peer.js';
import { freePort, startServer } from './lib/server.js';

const ADMIN_SECRET = 'integration-admin-secret';
const VIDEOROOM = 'janus.plugin.videoroom';
let server;
let adminUrl;
let adminWsUrl;

before(async () => {
    const httpPort = await freePort();
    let wsPort = await freePort();
    while (wsPort === httpPort) wsPort = await freePort();
    server = await startServer({
        PRISM_GENERAL_ADMIN_SECRET: ADMIN_SECRET,
        PRISM_GENERAL_TOKEN_AUTH: 'true',
        PRISM_ADMIN_HTTP_ENABLED: 'true',
        PRISM_ADMIN_HTTP_PORT: String(httpPort),
        PRISM_ADMIN_WS_ENABLED: 'true',
        PRISM_ADMIN_WS_PORT: String(wsPort),
    });
    adminUrl = `http://127.0.0.1:${httpPort}/admin`;
    adminWsUrl = `ws://127.0.0.1:${wsPort}`;
    Janode.Logger.setLevel(process.env.JANODE_LOG_LEVEL || 'warning');
});

after(async () => {
    await server?.stop();
});

// POSTs an Admin API request (with the secret unless `secret` is given) and returns the reply.
async function admin(body, { path = '', secret = ADMIN_SECRET } = {}) {
    const request = { transaction: transaction(), ...body };
    if (secret !== null) request.admin_secret = secret;
    const response = await fetch(`${adminUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
    });
    assert.equal(response.status, 200);
    return response.json();
}

async function rejectionCode(promise) {
    const error = await promise.then(() => null, (failure) => failure);
    assert.ok(error, 'the request succeeded');
    return Number(String(error.message).split(' ')[0]);
}

test('the admin secret is required; info and ping are open; GET is refused', async () => {
    assert.equal((await admin({ janus: 'ping' }, { secret: null })).janus, 'pong');
    assert.equal((await admin({ janus: 'info' }, { secret: null })).janus, 'server_info');
    for (const secret of [null, 'wrong']) {
        const refused = await admin({ janus: 'get_status' }, { secret });
        assert.equal(refused.error.code, 403);
    }
    const status = await admin({ janus: 'get_status' });
    assert.equal(status.janus, 'success');
    assert.equal(status.status.token_auth, true);
    const get = await fetch(`${adminUrl}/1`);
    assert.equal(get.status, 405);
    await get.arrayBuffer();
    // The Janus API's info does not list the admin listeners as transports of its own.
    const info = await (await fetch(server.infoUrl)).json();
    assert.deepEqual(Object.keys(info.transports).sort(),
        ['janus.transport.http', 'janus.transport.websockets']);
});

test('stored tokens added through the Admin API open the Janus API for janode', async () => {
    const added = await admin({ janus: 'add_token', token: 'echo-only', plugins: [ECHOTEST] });
    assert.deepEqual(added.data.plugins, [ECHOTEST]);
    const listed = await admin({ janus: 'list_tokens' });
    assert.deepEqual(listed.data.tokens, [{ token: 'echo-only', allowed_plugins: [ECHOTEST] }]);

    const connection = await Janode.connect({
        address: { url: server.wsUrl, token: 'echo-only' }, max_retries: 1,
    });
    const session = await connection.create();
    const handle = await session.attach(EchoTestPlugin);
    assert.equal((await handle.message({ audio: true })).plugindata.data.result, 'ok');
    assert.equal(await rejectionCode(session.attach({ id: VIDEOROOM })), 405);
    const allowed = await admin({ janus: 'allow_token', token: 'echo-only', plugins: [VIDEOROOM] });
    assert.deepEqual(allowed.data.plugins.sort(), [ECHOTEST, VIDEOROOM]);
    const room = await session.attach({ id: VIDEOROOM });
    await room.detach();

    assert.equal((await admin({ janus: 'remove_token', token: 'echo-only' })).janus, 'success');
    assert.equal(await rejectionCode(connection.create()), 403);
    await connection.close();

    const unknown = await admin({ janus: 'allow_token', token: 'nope', plugins: [ECHOTEST] });
    assert.equal(unknown.error.code, 470);
});

test('janode\'s admin connection lists, inspects and ends sessions and handles', async () => {
    await admin({ janus: 'add_token', token: 'any-plugin' });
    const connection = await Janode.connect({
        address: { url: server.wsUrl, token: 'any-plugin' }, max_retries: 1,
    });
    const session = await connection.create();
    const handle = await session.attach(EchoTestPlugin);
    const detached = new Promise((resolve) => handle.once(Janode.EVENT.HANDLE_DETACHED, resolve));

    const adminConnection = await Janode.connect({
        is_admin: true, address: { url: adminWsUrl, apisecret: ADMIN_SECRET }, max_retries: 1,
    });
    const sessions = await adminConnection.listSessions();
    assert.ok(sessions.sessions.includes(session.id));
    const handles = await adminConnection.listHandles(session.id);
    assert.deepEqual(handles.handles, [handle.id]);
    const info = await adminConnection.handleInfo(session.id, handle.id);
    assert.equal(info.handle_id, handle.id);
    assert.equal(info.info.plugin, ECHOTEST);
    assert.equal(typeof info.info.plugin_specific, 'object');

    // A wrong secret over WebSocket is refused too.
    const intruder = await Janode.connect({
        is_admin: true, address: { url: adminWsUrl, apisecret: 'wrong' }, max_retries: 1,
    });
    assert.equal(await rejectionCode(intruder.listSessions()), 403);
    await intruder.close();

    // detach_handle: the client hears "detached" as after its own detach.
    const reply = await adminConnection.sendRequest({
        janus: 'detach_handle', session_id: session.id, handle_id: handle.id,
    });
    assert.equal(reply.janus, 'success');
    await detached;
    assert.deepEqual((await adminConnection.listHandles(session.id)).handles, []);

    // destroy_session: gone from the list, and the client's next request finds no session.
    const gone = await adminConnection.sendRequest({ janus: 'destroy_session', session_id: session.id });
    assert.equal(gone.janus, 'success');
    await waitUntil(async () => !(await adminConnection.listSessions()).sessions.includes(session.id),
        'the session to leave the list');
    assert.equal(await rejectionCode(session.attach(EchoTestPlugin)), 458);
    await adminConnection.close();
    await connection.close();
});

test('handle_info shows a live PeerConnection; hangup_webrtc ends it', async () => {
    await admin({ janus: 'add_token', token: 'media' });
    const connection = await Janode.connect({ address: { url: server.wsUrl, token: 'media' }, max_retries: 1 });
    const session = await connection.create();
    const { handle, events } = await attachEcho(session);
    const peer = new EchoPeer();
    try {
        await negotiate(handle, events, peer);
        await peer.waitConnected();
        await waitMediaEvents(events);
        await peer.waitFrames(10);
        let info = null;
        await waitUntil(async () => {
            info = (await admin({ janus: 'handle_info' }, { path: `/${session.id}/${handle.id}` })).info;
            return info.webrtc?.stats.packets_received > 0 && info.webrtc.stats.packets_sent > 0;
        }, async () => `packets counted both ways (last: ${JSON.stringify(info?.webrtc)})`, 15000, 200);
        const { webrtc } = info;
        assert.equal(webrtc.connected, true);
        assert.equal(webrtc.dtls.state, 'connected');
        assert.equal(typeof webrtc.dtls.cipher, 'string');
        assert.match(webrtc['srtp-profile'], /^SRTP_/);
        assert.equal(typeof webrtc.ice.state, 'string');
        // Loopback, IPv4 or IPv6, whichever pair ICE chose.
        assert.match(webrtc.ice['selected-pair'].remote, /^(127\.0\.0\.1|\[::1\]):\d+\/udp$/);
        assert.deepEqual(webrtc.streams.map((s) => s.type).sort(), ['audio', 'data', 'video']);
        const rtp = webrtc.streams.filter((s) => s.type !== 'data');
        assert.ok(rtp.every((s) => s.remote_ssrc > 0 && s.local_ssrc > 0 && s.codec.length > 0),
            JSON.stringify(rtp));
        // Per stream: the echo both receives and sends on each RTP m-line; the counters add up
        // to the PeerConnection's.
        assert.ok(rtp.every((s) => s.stats.packets_received > 0 && s.stats.packets_sent > 0 &&
            s.stats.bytes_received > s.stats.packets_received), JSON.stringify(rtp));
        assert.ok(rtp.every((s) => s.stats.lost >= 0 && s.stats.jitter_ms >= 0));
        const sum = (key) => webrtc.streams.reduce((total, s) => total + (s.stats?.[key] ?? 0), 0);
        assert.ok(sum('packets_received') <= webrtc.stats.packets_received &&
            sum('packets_received') > 0, `${sum('packets_received')} of ${webrtc.stats.packets_received}`);
        assert.equal(info.plugin_specific.audio_active, true);

        const reply = await admin({ janus: 'hangup_webrtc' }, { path: `/${session.id}/${handle.id}` });
        assert.equal(reply.janus, 'success');
        await waitUntil(() => events.hangup.length > 0, 'the hangup event');
    } finally {
        peer.close();
    }
    await session.destroy();
    await connection.close();
});

test('message_plugin: the VideoRoom lists private rooms to the Admin API only', async () => {
    await admin({ janus: 'add_token', token: 'rooms' });
    const connection = await Janode.connect({ address: { url: server.wsUrl, token: 'rooms' }, max_retries: 1 });
    const session = await connection.create();
    const handle = await session.attach(VideoRoomPlugin);
    const room = 900000 + Math.floor(Math.random() * 99999);
    await handle.create({ room, is_private: true });
    const { list } = await handle.list();
    assert.ok(!list.some((entry) => entry.room === room), 'a client lists the private room');

    const reply = await admin({ janus: 'message_plugin', plugin: VIDEOROOM, request: { request: 'list' } });
    assert.equal(reply.janus, 'success');
    assert.equal(reply.response.videoroom, 'success');
    const entry = reply.response.list.find((r) => r.room === room);
    assert.ok(entry, `room ${room} missing from ${JSON.stringify(reply.response.list)}`);
    assert.equal(entry.is_private, true);

    const echo = await admin({ janus: 'message_plugin', plugin: ECHOTEST, request: {} });
    assert.equal(echo.error.code, 490);
    const nope = await admin({ janus: 'message_plugin', plugin: 'janus.plugin.nope' });
    assert.equal(nope.error.code, 460);
    await handle.destroy({ room });
    await session.destroy();
    await connection.close();
});

test('accept_new_sessions false refuses create with 472 until turned back on', async () => {
    await admin({ janus: 'add_token', token: 'drain' });
    const reply = await admin({ janus: 'accept_new_sessions', accept: false });
    assert.equal(reply.accept, false);
    const connection = await Janode.connect({ address: { url: server.wsUrl, token: 'drain' }, max_retries: 1 });
    assert.equal(await rejectionCode(connection.create()), 472);
    await admin({ janus: 'accept_new_sessions', accept: true });
    const session = await connection.create();
    await session.destroy();
    await connection.close();
});

test('the admin WebSocket speaks only janus-admin-protocol', async () => {
    const socket = new WebSocket(adminWsUrl, 'janus-protocol');
    const outcome = await new Promise((resolve) => {
        socket.once('open', () => resolve('open'));
        socket.once('error', () => resolve('refused'));
    });
    socket.terminate();
    assert.equal(outcome, 'refused');
});
