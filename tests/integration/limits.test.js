// Limits per client address, each crossed from 127.0.0.1 while a client from 127.0.0.2 (all of
// 127.0.0.0/8 is on lo inside the test's network namespace) or a session that already exists
// goes on unaffected: sessions per address, requests per second (HTTP, WHIP, WebSocket),
// concurrent HTTP and WebSocket connections per address, the HTTP body size and the WebSocket
// message size.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { transaction } from './lib/http.js';
import { againstJanus, freePort, startServer } from './lib/server.js';
import { STATIC_OFFER } from './lib/whip.js';
import { JanusWs } from './lib/ws.js';

const skip = againstJanus && 'Janus has no per-address limits';
const FIRST = '127.0.0.1';
const OTHER = '127.0.0.2';
// An address nothing else uses (the start-up probe polls from 127.0.0.1), for exact counts.
const FLOOD = '127.0.0.3';

// One HTTP request on a connection of its own from `localAddress`; resolves with status,
// headers, text and parsed JSON (when it is JSON), rejects when the connection fails.
function httpRequest(url, { method = 'POST', body, headers = {}, localAddress = FIRST } = {}) {
    return new Promise((resolve, reject) => {
        const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
        const request = http.request(url, { method, headers, localAddress, agent: false }, (response) => {
            const chunks = [];
            response.on('data', (chunk) => chunks.push(chunk));
            response.on('end', () => {
                const all = Buffer.concat(chunks).toString();
                let json;
                try {
                    json = JSON.parse(all);
                } catch {
                    json = undefined;
                }
                resolve({ status: response.statusCode, headers: response.headers, text: all, json });
            });
        });
        request.on('error', reject);
        request.end(text);
    });
}

const janus = (server, body, options = {}) =>
    httpRequest(server.base + (options.path || ''), {
        body: { transaction: transaction(), ...body },
        headers: { 'content-type': 'application/json' },
        ...options,
    });

// Collects the server's log (its stderr) so tests can count lines.
function captureLog(server) {
    const log = { text: '' };
    server.child.stderr.on('data', (chunk) => (log.text += chunk.toString()));
    return log;
}

// Retries `attempt` until it resolves truthy (the server frees a slot asynchronously once a
// connection or session is gone); fails after `timeoutMs`.
async function eventually(attempt, what, timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
        try {
            if (await attempt()) return;
        } catch (error) {
            last = error;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${last.message}` : ''}`);
}

// Opens a WebSocket from `localAddress`: resolves with the client once open, rejects when the
// server closes the connection first.
function openWs(server, localAddress) {
    return new Promise((resolve, reject) => {
        const socket = new WebSocket(server.wsUrl, 'janus-protocol', { localAddress });
        socket.once('open', () => resolve(new JanusWs(socket)));
        socket.once('error', reject);
        socket.once('close', () => reject(new Error('closed before it opened')));
    });
}

test('sessions per address: the create over the limit gets 472, other addresses and freed slots go on',
    { skip }, async () => {
        const server = await startServer({ PRISM_GENERAL_MAX_SESSIONS_PER_ADDRESS: '2' });
        try {
            const first = await janus(server, { janus: 'create' });
            assert.equal(first.json.janus, 'success', first.text);
            // The count is per address, over every transport: the second one over WebSocket.
            const ws = await openWs(server, FIRST);
            const second = await ws.create();
            const refused = await janus(server, { janus: 'create' });
            assert.equal(refused.status, 200);
            assert.equal(refused.json.janus, 'error');
            assert.equal(refused.json.error.code, 472);
            assert.equal(refused.json.error.reason, 'Too many sessions from this address');
            const refusedWs = await ws.request({ janus: 'create' });
            assert.equal(refusedWs.error.code, 472, JSON.stringify(refusedWs));

            // Another address is not affected, and neither are the sessions that exist.
            const other = await janus(server, { janus: 'create' }, { localAddress: OTHER });
            assert.equal(other.json.janus, 'success', other.text);
            const keepalive = await janus(server, { janus: 'keepalive' }, { path: `/${first.json.data.id}` });
            assert.equal(keepalive.json.janus, 'ack', keepalive.text);

            // Destroying a session frees its slot; so does its WebSocket closing.
            const destroyed = await janus(server, { janus: 'destroy' }, { path: `/${first.json.data.id}` });
            assert.equal(destroyed.json.janus, 'success', destroyed.text);
            const again = await janus(server, { janus: 'create' });
            assert.equal(again.json.janus, 'success', again.text);
            assert.equal((await janus(server, { janus: 'create' })).json.error?.code, 472);
            assert.ok(second > 0);
            await ws.close();
            await eventually(async () => (await janus(server, { janus: 'create' })).json.janus === 'success',
                'a create after the WebSocket holding a session closed');
        } finally {
            await server.stop();
        }
    });

test('a WHIP resource\'s session counts against its HTTP client\'s address', { skip }, async () => {
    const server = await startServer({ PRISM_GENERAL_MAX_SESSIONS_PER_ADDRESS: '1' });
    try {
        const ws = await openWs(server, OTHER);
        const session = await ws.create();
        const handle = await ws.attach(session, 'janus.plugin.videoroom');
        const room = 6000 + Math.floor(Math.random() * 1000);
        const made = await ws.request({ janus: 'message', session_id: session, handle_id: handle,
            body: { request: 'create', room } });
        assert.equal(made.plugindata.data.videoroom, 'created', JSON.stringify(made));
        const publish = () => httpRequest(`${server.origin}/whip/endpoint/${room}`, {
            body: STATIC_OFFER, headers: { 'content-type': 'application/sdp' }, localAddress: FLOOD,
        });
        const resource = await publish();
        assert.equal(resource.status, 201, resource.text);
        // The address's one session is the WHIP resource's: a create and a second WHIP POST
        // from it are refused, a client of another address is served.
        const refused = await janus(server, { janus: 'create' }, { localAddress: FLOOD });
        assert.equal(refused.json.error?.code, 472, refused.text);
        const second = await publish();
        assert.equal(second.status, 429, second.text);
        assert.match(second.json.error, /Too many sessions from this address/);
        const other = await janus(server, { janus: 'create' }, { localAddress: '127.0.0.4' });
        assert.equal(other.json.janus, 'success', other.text);
        // Deleting the resource frees the slot.
        const deleted = await httpRequest(server.origin + resource.headers.location, { method: 'DELETE', localAddress: FLOOD });
        assert.equal(deleted.status, 200, deleted.text);
        await eventually(async () => (await janus(server, { janus: 'create' }, { localAddress: FLOOD })).json.janus === 'success',
            'a create once the WHIP resource was deleted');
        await ws.close();
    } finally {
        await server.stop();
    }
});

test('requests per second: 429 with Retry-After over HTTP and WHIP, error 429 over WebSocket, one log line',
    { skip }, async () => {
        const adminPort = await freePort();
        const server = await startServer({
            PRISM_ADMIN_HTTP_ENABLED: 'true',
            PRISM_ADMIN_HTTP_PORT: String(adminPort),
            PRISM_GENERAL_REQUESTS_PER_SECOND: '1',
            PRISM_GENERAL_REQUEST_BURST: '3',
            PRISM_GENERAL_LOG_LEVEL: 'warn',
        });
        const log = captureLog(server);
        try {
            // A session of another address, made before the flood.
            const other = await janus(server, { janus: 'create' }, { localAddress: OTHER });
            const otherSession = other.json.data.id;
            const started = Date.now();

            let refused;
            let passed = 0;
            for (let i = 0; i < 40 && !refused; i++) {
                const reply = await janus(server, { janus: 'ping' }, { localAddress: FLOOD });
                if (reply.status === 429) refused = reply;
                else passed++;
            }
            assert.ok(refused, 'no request was refused');
            assert.ok(passed >= 3, `the burst of 3 went through (${passed})`);
            assert.ok(Number(refused.headers['retry-after']) >= 1, `Retry-After ${refused.headers['retry-after']}`);
            assert.equal(refused.json.janus, 'error');
            assert.equal(refused.json.error.code, 429);
            assert.match(refused.json.error.reason, /Too many requests/);

            // WHIP shares the address's bucket and answers in its own JSON shape.
            let whip;
            for (let i = 0; i < 40 && !whip; i++) {
                const reply = await httpRequest(`${server.origin}/whip/endpoint/1234`, {
                    body: 'v=0\r\n', headers: { 'content-type': 'application/sdp' }, localAddress: FLOOD,
                });
                if (reply.status === 429) whip = reply;
            }
            assert.ok(whip, 'no WHIP request was refused');
            assert.ok(Number(whip.headers['retry-after']) >= 1);
            assert.equal(whip.json.code, 429);

            // The WebSocket: an error reply with the request's transaction, the socket stays open.
            const ws = await openWs(server, FLOOD);
            let wsRefused;
            for (let i = 0; i < 40 && !wsRefused; i++) {
                const reply = await ws.request({ janus: 'ping' });
                if (reply.janus === 'error') wsRefused = reply;
            }
            assert.ok(wsRefused, 'no WebSocket request was refused');
            assert.equal(wsRefused.error.code, 429);
            assert.ok(wsRefused.transaction);
            assert.equal(ws.isClosed, false);

            // The other address and its session are not affected.
            const keepalive = await janus(server, { janus: 'keepalive' }, { path: `/${otherSession}`, localAddress: OTHER });
            assert.equal(keepalive.json.janus, 'ack', keepalive.text);
            const otherWs = await openWs(server, OTHER);
            assert.equal((await otherWs.request({ janus: 'ping' })).janus, 'pong');

            // Dozens refused, one log line per address per 10 s.
            const lines = log.text.split('\n').filter((line) => line.includes(`${FLOOD}: over 1 requests per second`));
            const intervals = Math.floor((Date.now() - started) / 10000) + 1;
            assert.ok(lines.length >= 1, 'the refusals were not logged');
            assert.ok(lines.length <= intervals, `${lines.length} log lines in ${intervals} intervals`);
            assert.ok(!log.text.includes(`${OTHER}: over`));

            // The refusals are counted on the metrics page (on the admin port, not limited).
            const metrics = await httpRequest(`http://127.0.0.1:${adminPort}/metrics`, { method: 'GET' });
            const counted = /prism_limit_rejections_total\{kind="request_rate"\} (\d+)/.exec(metrics.text);
            assert.ok(counted && Number(counted[1]) >= 3, `request_rate rejections: ${counted?.[1]}`);

            // The bucket refills: after Retry-After the address is served again.
            await eventually(async () => (await janus(server, { janus: 'ping' }, { localAddress: FLOOD })).status === 200,
                'a request after the wait');
            await ws.close();
            await otherWs.close();
        } finally {
            await server.stop();
        }
    });

test('HTTP connections per address: the one over the limit is closed, other addresses are served',
    { skip }, async () => {
        const server = await startServer({ PRISM_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '2' });
        const log = captureLog(server);
        const sockets = [];
        try {
            // Two idle connections hold the address's slots (MHD counts them from accept).
            for (let i = 0; i < 2; i++) {
                const socket = net.connect({ host: '127.0.0.1', port: server.httpPort, localAddress: FLOOD });
                await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
                socket.on('error', () => {});
                sockets.push(socket);
            }
            await assert.rejects(httpRequest(server.infoUrl, { method: 'GET', localAddress: FLOOD }),
                'a third connection from the address was served');
            const other = await httpRequest(server.infoUrl, { method: 'GET', localAddress: OTHER });
            assert.equal(other.status, 200);
            // Closing one frees its slot.
            sockets.pop().destroy();
            await eventually(
                async () => (await httpRequest(server.infoUrl, { method: 'GET', localAddress: FLOOD })).status === 200,
                'a request once a connection closed');
            // MHD's refusals are logged once per interval, not once per connection.
            const refusals = log.text.split('\n').filter((line) => line.includes('connection limit'));
            assert.ok(refusals.length <= 2, `${refusals.length} lines about refused connections`);
        } finally {
            for (const socket of sockets) socket.destroy();
            await server.stop();
        }
    });

test('WebSocket connections per address: the one over the limit is closed, the others go on',
    { skip }, async () => {
        const server = await startServer({ PRISM_WEBSOCKETS_MAX_CONNECTIONS_PER_ADDRESS: '2' });
        try {
            const first = await openWs(server, FIRST);
            const second = await openWs(server, FIRST);
            await assert.rejects(openWs(server, FIRST), 'a third connection from the address opened');
            const other = await openWs(server, OTHER);
            assert.ok((await other.create()) > 0);
            assert.ok((await first.create()) > 0, 'an open connection stopped working');
            await second.close();
            let third;
            await eventually(async () => (third = await openWs(server, FIRST)), 'a connection once one closed');
            assert.equal((await third.request({ janus: 'ping' })).janus, 'pong');
            await Promise.all([first.close(), third.close(), other.close()]);
        } finally {
            await server.stop();
        }
    });

// Posts `size` bytes with Expect: 100-continue, so a refusal by Content-Length comes before the
// body is sent.
function postLarge(server, size) {
    const body = JSON.stringify({ janus: 'ping', transaction: 'big', filler: 'a'.repeat(size) });
    return new Promise((resolve, reject) => {
        const request = http.request(server.base, {
            method: 'POST',
            localAddress: FIRST,
            agent: false,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
        });
        request.on('continue', () => request.end(body));
        request.on('response', (response) => {
            const chunks = [];
            response.on('data', (chunk) => chunks.push(chunk));
            response.on('end', () => {
                if (!request.writableEnded) request.destroy();
                resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString() });
            });
        });
        request.on('error', reject);
    });
}

test('HTTP body size: 413 with a Janus error, another client and its session unaffected', { skip }, async () => {
    const server = await startServer({ PRISM_HTTP_MAX_BODY_SIZE: '4096' });
    try {
        const other = await janus(server, { janus: 'create' }, { localAddress: OTHER });
        const refused = await postLarge(server, 8192);
        assert.equal(refused.status, 413, refused.text);
        const body = JSON.parse(refused.text);
        assert.equal(body.janus, 'error');
        assert.match(body.error.reason, /larger than 4096 bytes/);
        const keepalive = await janus(server, { janus: 'keepalive' }, { path: `/${other.json.data.id}`, localAddress: OTHER });
        assert.equal(keepalive.json.janus, 'ack', keepalive.text);
        assert.equal((await janus(server, { janus: 'ping' })).json.janus, 'pong');
    } finally {
        await server.stop();
    }
});

test('WebSocket message size: the sender is closed with 1009, another client goes on', { skip }, async () => {
    const server = await startServer({ PRISM_WEBSOCKETS_MAX_MESSAGE_SIZE: '2048' });
    try {
        const other = await openWs(server, OTHER);
        const session = await other.create();
        const sender = await openWs(server, FIRST);
        sender.send({ janus: 'ping', transaction: 'big', filler: 'a'.repeat(4096) });
        const closed = await sender.closed;
        assert.equal(closed.code, 1009);
        assert.equal(closed.reason, 'message too big');
        const keepalive = await other.request({ janus: 'keepalive', session_id: session });
        assert.equal(keepalive.janus, 'ack', JSON.stringify(keepalive));
        const again = await openWs(server, FIRST);
        assert.equal((await again.request({ janus: 'ping' })).janus, 'pong');
        await Promise.all([other.close(), again.close()]);
    } finally {
        await server.stop();
    }
});
