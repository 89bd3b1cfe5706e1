// The log never carries a secret: with the most verbose logging, requests carrying distinctive
// secret values (the API secret, stored tokens, the admin secret, room secrets and pins, WHIP's
// Bearer token; right and wrong ones, in bodies, query strings and headers) leave none of them
// in the server's output.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transaction } from './lib/http.js';
import { againstJanus, freePort, startServer } from './lib/server.js';
import { STATIC_OFFER } from './lib/whip.js';
import { JanusWs } from './lib/ws.js';

const SECRETS = {
    apiSecret: 'apisecret-Q7fLeak1',
    wrongApiSecret: 'wrongsecret-Q7fLeak2',
    adminSecret: 'adminsecret-Q7fLeak3',
    wrongAdminSecret: 'wrongadmin-Q7fLeak4',
    token: 'token-Q7fLeak5',
    wrongToken: 'wrongtoken-Q7fLeak6',
    roomSecret: 'roomsecret-Q7fLeak7',
    roomPin: 'roompin-Q7fLeak8',
    wrongPin: 'wrongpin-Q7fLeak9',
    wrongBearer: 'bearer-Q7fLeak10',
};

async function post(url, body) {
    const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ transaction: transaction(), ...body }),
    });
    return { status: response.status, json: await response.json().catch(() => undefined) };
}

test('no secret, token, pin or Bearer value reaches the log at debug level',
    { skip: againstJanus && 'checks Prism\'s own log' }, async () => {
        const adminPort = await freePort();
        const server = await startServer({
            PRISM_GENERAL_LOG_LEVEL: 'debug',
            PRISM_GENERAL_API_SECRET: SECRETS.apiSecret,
            PRISM_GENERAL_TOKEN_AUTH: 'true',
            PRISM_GENERAL_ADMIN_SECRET: SECRETS.adminSecret,
            PRISM_ADMIN_HTTP_ENABLED: 'true',
            PRISM_ADMIN_HTTP_PORT: String(adminPort),
        });
        let log = '';
        const collect = (chunk) => (log += chunk.toString());
        server.child.stderr.on('data', collect);
        server.child.stdout.on('data', collect);
        const admin = `http://127.0.0.1:${adminPort}/admin`;
        try {
            // Admin API: a stored token added with the right secret; a wrong secret refused.
            const added = await post(admin, { janus: 'add_token', token: SECRETS.token, admin_secret: SECRETS.adminSecret });
            assert.equal(added.json.janus, 'success', JSON.stringify(added.json));
            const wrongAdmin = await post(admin, { janus: 'list_tokens', admin_secret: SECRETS.wrongAdminSecret });
            assert.equal(wrongAdmin.json.error.code, 403);

            // Janus API over HTTP: right and wrong secret and token, and a refused long-poll
            // carrying them in its query string.
            const created = await post(server.base, { janus: 'create', apisecret: SECRETS.apiSecret });
            assert.equal(created.json.janus, 'success');
            assert.equal((await post(server.base, { janus: 'create', token: SECRETS.token })).json.janus, 'success');
            assert.equal((await post(server.base, { janus: 'create', apisecret: SECRETS.wrongApiSecret })).json.error.code, 403);
            assert.equal((await post(server.base, { janus: 'create', token: SECRETS.wrongToken })).json.error.code, 403);
            const poll = await fetch(`${server.base}/${created.json.data.id}?apisecret=${SECRETS.wrongApiSecret}&token=${SECRETS.wrongToken}`);
            assert.equal(poll.status, 403);
            await poll.arrayBuffer();

            // WebSocket: a VideoRoom room with a secret and a pin, joined with the right and a
            // wrong pin.
            const ws = await JanusWs.connect(server.wsUrl);
            const session = (await ws.request({ janus: 'create', token: SECRETS.token })).data.id;
            const handle = (await ws.request({ janus: 'attach', session_id: session, plugin: 'janus.plugin.videoroom', apisecret: SECRETS.apiSecret })).data.id;
            const room = 4000 + Math.floor(Math.random() * 1000);
            // A plugin message with the API secret; resolves with the plugin's data, from the
            // "success" of a synchronous request or the "event" of an asynchronous one.
            const message = async (body) => {
                const tx = transaction();
                const from = ws.received.length;
                ws.send({ janus: 'message', session_id: session, handle_id: handle, transaction: tx,
                    apisecret: SECRETS.apiSecret, body });
                const reply = await ws.waitFor((m) => m.transaction === tx && m.plugindata, { from });
                return reply.plugindata.data;
            };
            const made = await message({ request: 'create', room, secret: SECRETS.roomSecret, pin: SECRETS.roomPin });
            assert.equal(made.videoroom, 'created', JSON.stringify(made));
            const wrong = await message({ request: 'join', ptype: 'publisher', room, pin: SECRETS.wrongPin });
            assert.ok(wrong.error_code, JSON.stringify(wrong));
            const joined = await message({ request: 'join', ptype: 'publisher', room, pin: SECRETS.roomPin });
            assert.equal(joined.videoroom, 'joined', JSON.stringify(joined));
            const edited = await message({ request: 'edit', room, secret: SECRETS.roomSecret, new_pin: SECRETS.roomPin });
            assert.equal(edited.videoroom, 'edited', JSON.stringify(edited));

            await ws.close();
        } finally {
            await server.stop();
        }
        // The log has lines (debug logging was on) and none of the values.
        assert.match(log, /session \d+ created/);
        for (const [name, value] of Object.entries(SECRETS)) {
            assert.ok(!log.includes(value), `the log carries ${name} (${value})`);
        }
    });

// WHIP's internal sessions carry no API secret, so WHIP runs on a server without one here.
test('WHIP Bearer tokens (room pins), right and wrong, stay out of the log',
    { skip: againstJanus && 'checks Prism\'s own log' }, async () => {
        const server = await startServer({ PRISM_GENERAL_LOG_LEVEL: 'debug' });
        let log = '';
        const collect = (chunk) => (log += chunk.toString());
        server.child.stderr.on('data', collect);
        server.child.stdout.on('data', collect);
        try {
            const ws = await JanusWs.connect(server.wsUrl);
            const session = await ws.create();
            const handle = await ws.attach(session, 'janus.plugin.videoroom');
            const room = 5000 + Math.floor(Math.random() * 1000);
            const made = await ws.request({ janus: 'message', session_id: session, handle_id: handle,
                body: { request: 'create', room, secret: SECRETS.roomSecret, pin: SECRETS.roomPin } });
            assert.equal(made.plugindata.data.videoroom, 'created', JSON.stringify(made));
            const whip = (bearer) => fetch(`${server.origin}/whip/endpoint/${room}`, {
                method: 'POST',
                headers: { 'content-type': 'application/sdp', authorization: `Bearer ${bearer}` },
                body: STATIC_OFFER,
            });
            const refused = await whip(SECRETS.wrongBearer);
            assert.equal(refused.status, 401, await refused.text());
            const accepted = await whip(SECRETS.roomPin);
            assert.equal(accepted.status, 201, await accepted.text());
            const deleted = await fetch(server.origin + accepted.headers.get('location'), { method: 'DELETE' });
            assert.equal(deleted.status, 200);
            await ws.close();
        } finally {
            await server.stop();
        }
        assert.match(log, /whip: resource \d+/);
        for (const value of [SECRETS.wrongBearer, SECRETS.roomPin, SECRETS.roomSecret]) {
            assert.ok(!log.includes(value), `the log carries ${value}`);
        }
    });
