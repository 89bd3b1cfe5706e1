// The Janus REST API's refusals: every error code a client can cause, with the transaction and
// session echoed as Janus does, plus CORS preflight and the request body size limit.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { ECHOTEST, JanusHttp } from './lib/http.js';
import { againstJanus, startServer } from './lib/server.js';
import { JanusWs } from './lib/ws.js';

let server;
let api;
let sessionId;
let handleId;

before(async () => {
    server = await startServer();
    api = new JanusHttp(server.base);
    sessionId = await api.create();
    handleId = await api.attach(sessionId);
});

after(async () => {
    await server?.stop();
});

// Each case: where it is posted (root, session or handle path), the body, the expected code,
// and whether the reply echoes the transaction (it cannot when the body did not parse).
const cases = [
    { name: 'invalid JSON', at: 'root', body: '{"janus": "create", ', code: 454, tx: false },
    { name: 'an array body', at: 'root', body: '[{"janus":"create","transaction":"t"}]', code: 455,
        tx: false },
    // Janus does not echo the transaction when "janus" is missing.
    { name: 'a missing janus field', at: 'root', body: { transaction: 't' }, code: 456, tx: false },
    { name: 'a missing transaction', at: 'root', body: { janus: 'create' }, code: 456, tx: false,
        raw: true },
    { name: 'attach without plugin', at: 'session', body: { janus: 'attach' }, code: 456 },
    { name: 'message without body', at: 'handle', body: { janus: 'message' }, code: 456 },
    { name: 'attach on the root path', at: 'root', body: { janus: 'attach', plugin: ECHOTEST },
        code: 457 },
    { name: 'keepalive on the root path', at: 'root', body: { janus: 'keepalive' }, code: 457 },
    { name: 'message on a session path', at: 'session', body: { janus: 'message', body: {} },
        code: 457 },
    { name: 'an unknown session', at: '/123', body: { janus: 'keepalive' }, code: 458,
        session: 123 },
    { name: 'an unknown handle', at: 'unknown-handle', body: { janus: 'message', body: {} },
        code: 459 },
    { name: 'an unknown plugin', at: 'session', body: { janus: 'attach', plugin: 'janus.plugin.nope' },
        code: 460 },
    { name: 'an unknown request on a session', at: 'session', body: { janus: 'dance' }, code: 453 },
    { name: 'an unknown request on a handle', at: 'handle', body: { janus: 'dance' }, code: 453 },
    { name: 'a non-string transaction', at: 'root', body: { janus: 'create', transaction: 5 },
        code: 467, tx: false },
    { name: 'a non-string janus field', at: 'root', body: { janus: 1, transaction: 't' }, code: 467,
        tx: false },
    { name: 'a non-string plugin', at: 'session', body: { janus: 'attach', plugin: 5 }, code: 467 },
    { name: 'a non-object message body', at: 'handle', body: { janus: 'message', body: 5 },
        code: 467 },
];

function target(at) {
    if (at === 'root') return [];
    if (at === 'session') return [sessionId];
    if (at === 'handle') return [sessionId, handleId];
    if (at === 'unknown-handle') return [sessionId, 999];
    return [Number(at.slice(1))];
}

for (const c of cases) {
    test(`${c.name} is refused with ${c.code}`, async () => {
        const body = typeof c.body === 'string' || c.raw || 'transaction' in c.body
            ? c.body : { ...c.body, transaction: 'err-tx' };
        const [session, handle] = target(c.at);
        const reply = await api.post(body, session, handle);
        assert.equal(reply.status, 200, 'Janus API errors travel in a 200 response');
        assert.equal(reply.json.janus, 'error', reply.text);
        assert.equal(reply.json.error.code, c.code, reply.text);
        assert.equal(typeof reply.json.error.reason, 'string');
        assert.ok(reply.json.error.reason.length > 0);
        if (c.tx !== false) assert.equal(reply.json.transaction, body.transaction);
        const expectedSession = c.session ?? session;
        if (expectedSession !== undefined) assert.equal(reply.json.session_id, expectedSession);
    });
}

// janus_http.c: an id in the body must match the one in the path (error 457, with neither the
// transaction nor a session_id in Janus's reply).
test('a body id that differs from the path\'s is refused with 457', async () => {
    const session = await api.post({ janus: 'keepalive', transaction: 'k', session_id: 1 },
        sessionId);
    assert.equal(session.json.janus, 'error', session.text);
    assert.equal(session.json.error.code, 457);
    assert.equal(session.json.error.reason, 'Conflicting session ID (payload and path)');
    const handle = await api.post({ janus: 'message', transaction: 'm', body: {},
        handle_id: handleId + 1 }, sessionId, handleId);
    assert.equal(handle.json.error.code, 457, handle.text);
    assert.equal(handle.json.error.reason, 'Conflicting handle ID (payload and path)');
    // The same ids in both places are fine, and a body id alone is used.
    const same = await api.post({ janus: 'keepalive', transaction: 'k', session_id: sessionId },
        sessionId);
    assert.equal(same.json.janus, 'ack', same.text);
    const bodyOnly = await api.post({ janus: 'keepalive', transaction: 'k', session_id: sessionId });
    assert.equal(bodyOnly.json.janus, 'ack', bodyOnly.text);
});

// RFC 9110: method names are case-sensitive, and "post" is no method (Janus takes it as POST).
// Sent over a plain socket: Node's HTTP client would upper-case it.
test('a lower-case method is not the API\'s: 501', { skip: againstJanus && 'Janus ignores case' },
    async () => {
        const url = new URL(server.base);
        const body = JSON.stringify({ janus: 'create', transaction: 'c' });
        const text = await new Promise((resolve, reject) => {
            const socket = net.connect(Number(url.port), url.hostname);
            const chunks = [];
            socket.on('data', (chunk) => chunks.push(chunk));
            socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
            socket.on('error', reject);
            socket.end(`post ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n` +
                `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
                `Connection: close\r\n\r\n${body}`);
        });
        assert.match(text, /^HTTP\/1\.1 501 /, text);
        assert.ok(!text.includes('janus'), text);
    });

// Janus binds a session to the transport that created it; its HTTP transport long-polls only
// its own sessions and answers 404 for the others at once.
test('a long-poll on a WebSocket session is answered 404 at once', async () => {
    const ws = await JanusWs.connect(server.wsUrl);
    const created = await ws.request({ janus: 'create' });
    const started = Date.now();
    const reply = await api.poll(created.data.id, { timeoutMs: 10000 });
    assert.equal(reply.status, 404, reply.text);
    assert.ok(Date.now() - started < 5000);
    // The session is still the socket's.
    const ack = await ws.request({ janus: 'keepalive', session_id: created.data.id });
    assert.equal(ack.janus, 'ack');
    await ws.close();
});

test('replies carry CORS headers and OPTIONS answers a preflight', async () => {
    const reply = await api.post({ janus: 'ping', transaction: 'p' });
    assert.ok(reply.headers.get('access-control-allow-origin'), 'allow-origin on a reply');

    const response = await fetch(server.base, {
        method: 'OPTIONS',
        headers: {
            origin: 'http://example.test',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
        },
    });
    await response.arrayBuffer();
    assert.ok(response.status === 200 || response.status === 204, `status ${response.status}`);
    const origin = response.headers.get('access-control-allow-origin');
    assert.ok(origin === '*' || origin === 'http://example.test', `allow-origin ${origin}`);
    assert.match(response.headers.get('access-control-allow-methods') || '', /POST/);
    assert.match(response.headers.get('access-control-allow-headers') || '', /content-type/i);
});

// Posts `size` bytes announcing Expect: 100-continue, so a server refusing by Content-Length can
// answer before the body is sent (no reset racing the response).
function postLarge(size) {
    const filler = 'a'.repeat(size - 64);
    const body = JSON.stringify({ janus: 'ping', transaction: 'big', filler });
    return new Promise((resolve, reject) => {
        const request = http.request(server.base, {
            method: 'POST',
            headers: {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(body),
                expect: '100-continue',
            },
        });
        let answered = false;
        request.on('continue', () => request.end(body));
        request.on('response', (response) => {
            answered = true;
            const chunks = [];
            response.on('data', (chunk) => chunks.push(chunk));
            response.on('end', () => {
                // Refused before the body went out: drop the connection instead of sending it.
                if (!request.writableEnded) request.destroy();
                resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString() });
            });
        });
        request.on('error', (error) => {
            if (!answered) reject(error);
        });
    });
}

test('a 2 MiB request body is refused with 413', { skip: againstJanus && 'Janus has no body limit' },
    async () => {
        const reply = await postLarge(2 * 1024 * 1024);
        assert.equal(reply.status, 413, reply.text);
        // The server is still fine afterwards.
        const ping = await api.post({ janus: 'ping', transaction: 'after-big' });
        assert.equal(ping.json.janus, 'pong');
    });

test('a body just under the limit is accepted', async () => {
    const reply = await postLarge(900 * 1024);
    assert.equal(reply.status, 200);
    assert.equal(JSON.parse(reply.text).janus, 'pong');
});
