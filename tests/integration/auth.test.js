// The API secret and signed tokens against clients used unmodified: janode over WebSocket with
// its apisecret and token options, the REST transport by hand (403 replies, the long-poll's bare
// 403, "info" left open), and janus.js in Chromium with its apisecret option over HTTP.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Janode from 'janode';
import EchoTestPlugin from 'janode/plugins/echotest';
import { browserMissing, launchBrowser } from './lib/browser.js';
import { ECHOTEST, JanusHttp, transaction } from './lib/http.js';
import { waitUntil } from './lib/peer.js';
import { startServer } from './lib/server.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const API_SECRET = 'integration-secret';
const TOKEN_SECRET = 'integration-token-secret';
const UNAUTHORIZED = 403;
const UNAUTHORIZED_PLUGIN = 405;

// A token as an application signs it for Janus (token_auth_secret).
function signToken(expiry, plugins = []) {
    const data = [expiry, 'janus', ...plugins].join(',');
    return `${data}:${createHmac('sha1', TOKEN_SECRET).update(data).digest('base64')}`;
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

async function janodeConnect(server, credentials) {
    return Janode.connect({ address: { url: server.wsUrl, ...credentials }, max_retries: 1 });
}

// The Janus error code a janode promise was rejected with ("403 Unauthorized ...").
async function rejectionCode(promise) {
    const error = await promise.then(() => null, (failure) => failure);
    assert.ok(error, 'the request succeeded');
    return Number(String(error.message).split(' ')[0]);
}

describe('api_secret', () => {
    let server;
    before(async () => {
        server = await startServer({ PRISM_GENERAL_API_SECRET: API_SECRET });
        Janode.Logger.setLevel(process.env.JANODE_LOG_LEVEL || 'warning');
    });
    after(async () => {
        await server?.stop();
    });

    test('janode with the right apisecret runs the echotest', async () => {
        const connection = await janodeConnect(server, { apisecret: API_SECRET });
        const session = await connection.create();
        const handle = await session.attach(EchoTestPlugin);
        const reply = await handle.message({ audio: true });
        assert.deepEqual(reply.plugindata.data, { echotest: 'event', result: 'ok' });
        await handle.detach();
        await session.destroy();
        await connection.close();
    });

    test('janode with a wrong or no apisecret is refused with 403', async () => {
        for (const credentials of [{ apisecret: 'wrong' }, {}]) {
            const connection = await janodeConnect(server, credentials);
            assert.equal(await rejectionCode(connection.create()), UNAUTHORIZED);
            await connection.close();
        }
    });

    test('REST: info is open, requests and the long-poll need the secret', async () => {
        const api = new JanusHttp(server.base);
        const info = await (await fetch(server.infoUrl)).json();
        assert.equal(info.api_secret, true);
        assert.equal(info.auth_token, false);

        const refused = await api.post({ janus: 'create', transaction: transaction() });
        assert.equal(refused.status, 200);
        assert.equal(refused.json.error.code, UNAUTHORIZED);
        assert.equal(refused.json.error.reason, 'Unauthorized request (wrong or missing secret/token)');

        const withSecret = (body) => ({ transaction: transaction(), apisecret: API_SECRET, ...body });
        const session = (await api.post(withSecret({ janus: 'create' }))).json.data.id;
        const handle = (await api.post(withSecret({ janus: 'attach', plugin: ECHOTEST }), session)).json.data.id;
        // Without the secret, an unknown session is 403 as well: checked before the lookup.
        const unknown = await api.post({ janus: 'keepalive', transaction: transaction() }, session + 1);
        assert.equal(unknown.json.error.code, UNAUTHORIZED);

        const ack = await api.post(withSecret({ janus: 'message', body: { audio: true } }), session, handle);
        assert.equal(ack.json.janus, 'ack');
        // The long-poll: a bare 403 without the secret or with a wrong one...
        for (const query of ['', '?apisecret=wrong', `?token=${API_SECRET}`]) {
            const response = await fetch(`${server.base}/${session}${query}`);
            assert.equal(response.status, 403, `GET ${query}`);
            assert.equal(await response.text(), '');
        }
        // ...and the echotest's event with it.
        const response = await fetch(`${server.base}/${session}?apisecret=${API_SECRET}`,
            { signal: AbortSignal.timeout(40000) });
        assert.equal(response.status, 200);
        const event = await response.json();
        assert.equal(event.janus, 'event');
        assert.equal(event.sender, handle);
        await api.post(withSecret({ janus: 'destroy' }), session);
    });

    test('janus.js in Chromium with the apisecret option attaches and gets events', async (t) => {
        const missing = browserMissing();
        if (missing) {
            t.skip(missing);
            return;
        }
        const files = {
            '/pages/auth_echo.html': ['pages/auth_echo.html', 'text/html'],
            '/pages/auth_echo.js': ['pages/auth_echo.js', 'text/javascript'],
            '/node_modules/janus-gateway/npm/src/janus.js':
                ['node_modules/janus-gateway/npm/src/janus.js', 'text/javascript'],
            '/node_modules/webrtc-adapter/out/adapter.js':
                ['node_modules/webrtc-adapter/out/adapter.js', 'text/javascript'],
        };
        const web = http.createServer((request, response) => {
            const entry = files[new URL(request.url, 'http://127.0.0.1').pathname];
            if (!entry) {
                response.writeHead(404).end();
                return;
            }
            response.writeHead(200, { 'content-type': entry[1], 'cache-control': 'no-store' });
            response.end(readFileSync(path.join(HERE, entry[0])));
        });
        await new Promise((resolve) => web.listen(0, '127.0.0.1', resolve));
        const browser = await launchBrowser();
        try {
            const open = async (apisecret) => {
                const page = await (await browser.newContext()).newPage();
                const query = new URLSearchParams({ server: server.base, apisecret });
                await page.goto(`http://127.0.0.1:${web.address().port}/pages/auth_echo.html?${query}`);
                return page;
            };
            const good = await open(API_SECRET);
            let last = null;
            await waitUntil(async () => {
                last = await good.evaluate(() => window.report());
                return last.event !== null || last.errors.length > 0;
            }, async () => `the echotest event in the page (last: ${JSON.stringify(last)})`, 30000, 200);
            assert.deepEqual(last.errors, []);
            assert.equal(last.attached, true);
            assert.equal(last.event.result, 'ok');

            const bad = await open('wrong');
            await waitUntil(async () => {
                last = await bad.evaluate(() => window.report());
                return last.errors.length > 0 || last.created;
            }, async () => `the page to fail (last: ${JSON.stringify(last)})`, 30000, 200);
            assert.equal(last.created, false);
            assert.match(last.errors.join(' '), /Unauthorized/);
        } finally {
            await browser.close();
            web.close();
        }
    });
});

describe('token_auth with token_auth_secret', () => {
    let server;
    before(async () => {
        server = await startServer({
            PRISM_GENERAL_TOKEN_AUTH: 'true',
            PRISM_GENERAL_TOKEN_AUTH_SECRET: TOKEN_SECRET,
        });
    });
    after(async () => {
        await server?.stop();
    });

    test('janode with a signed token attaches to the plugins it lists only', async () => {
        const info = await (await fetch(server.infoUrl)).json();
        assert.equal(info.api_secret, false);
        assert.equal(info.auth_token, true);
        const connection = await janodeConnect(server, { token: signToken(inAnHour(), [ECHOTEST]) });
        const session = await connection.create();
        const handle = await session.attach(EchoTestPlugin);
        const reply = await handle.message({ audio: true });
        assert.equal(reply.plugindata.data.result, 'ok');
        assert.equal(await rejectionCode(session.attach({ id: 'janus.plugin.videoroom' })),
            UNAUTHORIZED_PLUGIN);
        await handle.detach();
        await session.destroy();
        await connection.close();
    });

    test('expired, tampered, foreign and missing tokens are refused with 403', async () => {
        const good = signToken(inAnHour(), [ECHOTEST]);
        const expired = signToken(Math.floor(Date.now() / 1000) - 5, [ECHOTEST]);
        const tampered = good.replace(ECHOTEST, 'janus.plugin.videoroom');
        const foreign = `${inAnHour()},janus:${createHmac('sha1', 'other').update('x').digest('base64')}`;
        for (const token of [expired, tampered, foreign, 'garbage', undefined]) {
            const connection = await janodeConnect(server, token === undefined ? {} : { token });
            assert.equal(await rejectionCode(connection.create()), UNAUTHORIZED, `token ${token}`);
            await connection.close();
        }
        // The long-poll takes the token from the query, URL-encoded as janus.js sends it (a
        // signature's '+', '/' and '=' included).
        const api = new JanusHttp(server.base);
        const withToken = (body) => ({ transaction: transaction(), token: good, ...body });
        const session = (await api.post(withToken({ janus: 'create' }))).json.data.id;
        const refused = await fetch(`${server.base}/${session}?token=${encodeURIComponent(expired)}`);
        assert.equal(refused.status, 403);
        await refused.arrayBuffer();
        const handle = (await api.post(withToken({ janus: 'attach', plugin: ECHOTEST }), session)).json.data.id;
        const ack = await api.post(withToken({ janus: 'message', body: { audio: true } }), session, handle);
        assert.equal(ack.json.janus, 'ack');
        const polled = await fetch(`${server.base}/${session}?token=${encodeURIComponent(good)}`,
            { signal: AbortSignal.timeout(40000) });
        assert.equal(polled.status, 200);
        assert.equal((await polled.json()).sender, handle);
        await api.post(withToken({ janus: 'destroy' }), session);
    });
});
