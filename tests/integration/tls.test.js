// HTTPS and WSS with a certificate made here by the openssl CLI: curl --cacert speaks the Janus
// API over HTTPS, janode (unmodified) runs a session over wss://, the WebSocket mask check still
// sees the decrypted frames, and plain clients on the TLS ports are refused without disturbing
// anyone else.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import Janode from 'janode';
import EchoTestPlugin from 'janode/plugins/echotest';
import WebSocket from 'ws';
import { againstJanus, startServer } from './lib/server.js';
import { JanusWs } from './lib/ws.js';

const run = promisify(execFile);
const skip = againstJanus && 'Janus serves TLS on separate ports (secure_port, wss_port)';
let dir;
let ca;
let server;

// A self-signed certificate for 127.0.0.1 (ECDSA P-256), valid for a day.
function makeCertificate() {
    dir = mkdtempSync(path.join(os.tmpdir(), 'prism-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt',
        'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' });
    return { cert, key };
}

before(async () => {
    if (skip) return;
    const { cert, key } = makeCertificate();
    ca = readFileSync(cert);
    server = await startServer({
        PRISM_HTTP_CERT_PEM: cert,
        PRISM_HTTP_CERT_KEY: key,
        PRISM_WEBSOCKETS_CERT_PEM: cert,
        PRISM_WEBSOCKETS_CERT_KEY: key,
    }, { ca });
});

after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

async function curlJson(url, body) {
    const args = ['--silent', '--show-error', '--max-time', '10', '--cacert', path.join(dir, 'cert.pem')];
    if (body) args.push('--data', JSON.stringify(body));
    const { stdout } = await run('curl', [...args, url]);
    return JSON.parse(stdout);
}

test('curl --cacert runs a session over HTTPS, events by long-poll included', { skip }, async () => {
    assert.match(server.base, /^https:/);
    const info = await curlJson(server.infoUrl);
    assert.equal(info.janus, 'server_info');
    const created = await curlJson(server.base, { janus: 'create', transaction: 'tls-create' });
    assert.equal(created.janus, 'success');
    assert.equal(created.transaction, 'tls-create');
    const session = `${server.base}/${created.data.id}`;
    const attached = await curlJson(session,
        { janus: 'attach', plugin: 'janus.plugin.echotest', transaction: 'tls-attach' });
    assert.equal(attached.janus, 'success');
    const ack = await curlJson(`${session}/${attached.data.id}`,
        { janus: 'message', body: { audio: true }, transaction: 'tls-message' });
    assert.equal(ack.janus, 'ack');
    // The plugin's answer comes by the long-poll, a request MHD suspends and resumes under TLS.
    const event = await curlJson(`${session}?maxev=1`);
    assert.equal(event.janus, 'event');
    assert.equal(event.transaction, 'tls-message');
    assert.deepEqual(event.plugindata.data, { echotest: 'event', result: 'ok' });
    const destroyed = await curlJson(session, { janus: 'destroy', transaction: 'tls-destroy' });
    assert.equal(destroyed.janus, 'success');
});

test('janode runs an echotest session over wss://', { skip }, async () => {
    assert.match(server.wsUrl, /^wss:/);
    const connection = await Janode.connect({
        address: { url: server.wsUrl },
        ws_options: { ca },
        max_retries: 1,
    });
    const info = await connection.getInfo();
    assert.equal(info.janus, 'server_info');
    const session = await connection.create();
    const handle = await session.attach(EchoTestPlugin);
    const reply = await handle.message({ audio: true, video: false });
    assert.deepEqual(reply.plugindata.data, { echotest: 'event', result: 'ok' });
    await handle.detach();
    await session.destroy();
    await connection.close();
});

test('an unmasked frame over WSS still closes that socket with 1002', { skip }, async () => {
    const offender = await JanusWs.connect(server.wsUrl, { ca });
    offender.socket.send(JSON.stringify({ janus: 'ping', transaction: 'unmasked' }), { mask: false });
    const closed = await offender.closed;
    assert.equal(closed.code, 1002);
    assert.equal(offender.received.filter((m) => m.transaction === 'unmasked').length, 0);
});

// Resolves with the error a plain ws:// client gets from the WSS port (never 'open').
function plainWebSocketError(url) {
    return new Promise((resolve) => {
        const socket = new WebSocket(url, 'janus-protocol');
        socket.once('open', () => resolve(new Error('opened')));
        socket.once('error', resolve);
    });
}

test('plain HTTP and ws:// on the TLS ports fail, and the server keeps serving', { skip }, async () => {
    const bystander = await JanusWs.connect(server.wsUrl, { ca });
    const plainUrl = server.infoUrl.replace('https:', 'http:');
    const plain = await run('curl', ['--silent', '--max-time', '10', '--write-out', '%{http_code}',
        plainUrl]).then(() => null, (error) => error);
    assert.ok(plain, 'plain HTTP got an answer from the HTTPS port');
    assert.equal(plain.stdout, '000', 'no HTTP status came back');

    const wsError = await plainWebSocketError(server.wsUrl.replace('wss:', 'ws:'));
    assert.notEqual(wsError.message, 'opened', 'a plain WebSocket opened on the WSS port');

    const info = await curlJson(server.infoUrl);
    assert.equal(info.janus, 'server_info');
    const pong = await bystander.request({ janus: 'ping', transaction: 'after-plain' });
    assert.equal(pong.janus, 'pong');
    await bystander.close();
});

test('a missing certificate file stops start-up with the reason', { skip }, async () => {
    await assert.rejects(startServer({
        PRISM_HTTP_CERT_PEM: path.join(dir, 'missing.pem'),
        PRISM_HTTP_CERT_KEY: path.join(dir, 'key.pem'),
    }, { ca }), /exited during start-up/);
});
