// Static files over plain HTTP: content types, validators and 304s, HEAD and 405, 404 for
// folders and for every traversal spelling (sent byte for byte, as no browser would), the
// Janus API keeping its paths, and the default folder: web/ of the working directory.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { againstJanus, REPO_ROOT, startServer } from './lib/server.js';

const FILES = {
    'index.html': ['<!doctype html><title>fixture</title>\n', 'text/html; charset=utf-8'],
    'app.js': ['export const app = 1;\n', 'text/javascript; charset=utf-8'],
    'lib/module.mjs': ['export default 2;\n', 'text/javascript; charset=utf-8'],
    'css/site.css': ['body { margin: 0 }\n', 'text/css; charset=utf-8'],
    'data.json': ['{"ok":true}\n', 'application/json'],
    'icon.svg': ['<svg xmlns="http://www.w3.org/2000/svg"/>\n', 'image/svg+xml'],
    'image.png': ['\x89PNG fixture\n', 'image/png'],
    'favicon.ico': ['ico fixture\n', 'image/vnd.microsoft.icon'],
    'module.wasm': ['\0asm fixture\n', 'application/wasm'],
    'app.js.map': ['{"version":3}\n', 'application/json'],
    'notes.txt': ['plain text\n', 'text/plain; charset=utf-8'],
    'janus/info': ['not the API\n', 'application/octet-stream'],
};
const SECRET = 'top secret outside the root\n';

// GET (or another method) with the path sent exactly as given; returns {status, headers, body}.
function raw(port, target, { method = 'GET', headers = {} } = {}) {
    return new Promise((resolve, reject) => {
        const request = http.request({ host: '127.0.0.1', port, path: target, method, headers }, (response) => {
            const chunks = [];
            response.on('data', (chunk) => chunks.push(chunk));
            response.on('end', () => resolve({
                status: response.statusCode,
                headers: response.headers,
                body: Buffer.concat(chunks).toString('latin1'),
            }));
        });
        request.on('error', reject);
        request.end();
    });
}

// Sends bytes Node's HTTP client refuses to send (a NUL in the target); returns the reply text.
function rawBytes(port, bytes) {
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host: '127.0.0.1', port }, () => socket.end(bytes));
        const chunks = [];
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
        socket.on('error', reject);
    });
}

describe('static files', { skip: againstJanus && 'Janus serves no static files' }, () => {
    let dir;
    let server;

    before(async () => {
        dir = mkdtempSync(path.join(os.tmpdir(), 'prism-web-static-'));
        const root = path.join(dir, 'root');
        for (const [name, [body]] of Object.entries(FILES)) {
            mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
            writeFileSync(path.join(root, name), body, 'latin1');
        }
        mkdirSync(path.join(root, 'empty'));
        mkdirSync(path.join(dir, 'conf'));
        writeFileSync(path.join(dir, 'conf', 'prism.jcfg'), SECRET);
        symlinkSync(path.join(dir, 'conf', 'prism.jcfg'), path.join(root, 'escape.txt'));
        symlinkSync('../conf', path.join(root, 'conf'));
        symlinkSync('app.js', path.join(root, 'alias.js'));
        server = await startServer({ PRISM_HTTP_STATIC_DIR: root });
    });

    after(async () => {
        await server?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('files are served with the content type of their extension', async () => {
        for (const [name, [body, type]] of Object.entries(FILES)) {
            if (name.startsWith('janus/')) continue;
            const reply = await raw(server.httpPort, `/${name}`);
            assert.equal(reply.status, 200, name);
            assert.equal(reply.headers['content-type'], type, name);
            assert.equal(reply.body, body, name);
            assert.equal(reply.headers['x-content-type-options'], 'nosniff', name);
        }
        const alias = await raw(server.httpPort, '/alias.js'); // a symlink inside the root
        assert.equal(alias.status, 200);
        assert.equal(alias.body, FILES['app.js'][0]);
    });

    test('/ and a query string serve index.html', async () => {
        for (const target of ['/', '/?room=1234', '/index.html?x=1']) {
            const reply = await raw(server.httpPort, target);
            assert.equal(reply.status, 200, target);
            assert.equal(reply.body, FILES['index.html'][0], target);
        }
    });

    test('validators give 304 Not Modified, and a stale tag a full answer', async () => {
        const first = await raw(server.httpPort, '/app.js');
        const { etag, 'last-modified': modified } = first.headers;
        assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
        assert.match(modified, /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
        assert.equal(first.headers['cache-control'], 'no-cache');

        const byTag = await raw(server.httpPort, '/app.js', { headers: { 'if-none-match': etag } });
        assert.equal(byTag.status, 304);
        assert.equal(byTag.body, '');
        assert.equal(byTag.headers.etag, etag);
        const byList = await raw(server.httpPort, '/app.js', { headers: { 'if-none-match': `"x", W/${etag}` } });
        assert.equal(byList.status, 304);
        const byDate = await raw(server.httpPort, '/app.js', { headers: { 'if-modified-since': modified } });
        assert.equal(byDate.status, 304);
        const stale = await raw(server.httpPort, '/app.js', {
            headers: { 'if-none-match': '"stale"', 'if-modified-since': modified },
        });
        assert.equal(stale.status, 200);
        assert.equal(stale.body, FILES['app.js'][0]);
    });

    test('HEAD sends the headers only; other methods get 405', async () => {
        const head = await raw(server.httpPort, '/app.js', { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.body, '');
        assert.equal(head.headers['content-length'], String(FILES['app.js'][0].length));
        const post = await raw(server.httpPort, '/app.js', { method: 'POST' });
        assert.equal(post.status, 405);
        assert.equal(post.headers.allow, 'GET, HEAD');
    });

    test('folders are never listed', async () => {
        for (const target of ['/css', '/css/', '/empty/', '/lib', '/missing.html', '/missing/']) {
            const reply = await raw(server.httpPort, target);
            assert.equal(reply.status, 404, target);
            assert.doesNotMatch(reply.body, /site\.css|module\.mjs/, target);
        }
    });

    test('no spelling of a path reaches a file outside the folder', async () => {
        const targets = [
            '/../conf/prism.jcfg',
            '/%2e%2e/conf/prism.jcfg',
            '/%2E%2E/conf/prism.jcfg',
            '/.%2e/conf/prism.jcfg',
            '/..%2fconf/prism.jcfg',
            '/..%2Fconf%2Fprism.jcfg',
            '/%252e%252e/conf/prism.jcfg',
            '/%252e%252e%252fconf%252fprism.jcfg',
            '/..\\conf\\prism.jcfg',
            '/%5c..%5cconf%5cprism.jcfg',
            '/css/../../conf/prism.jcfg',
            '/index.html%00.png',
            '/conf/prism.jcfg%00',
            '//conf/prism.jcfg',
            '/escape.txt',
            '/conf/prism.jcfg',
            '/./conf/prism.jcfg',
        ];
        for (const target of targets) {
            const reply = await raw(server.httpPort, target);
            assert.equal(reply.status, 404, target);
            assert.ok(!reply.body.includes(SECRET.trim()), target);
        }
    });

    test('a raw NUL byte in the target is refused', async () => {
        const reply = await rawBytes(server.httpPort,
            'GET /index.html\0.png HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
        assert.match(reply, /^HTTP\/1\.1 (400|404) /);
        assert.ok(!reply.includes('fixture'));
    });

    test('the Janus API keeps its paths', async () => {
        const reply = await raw(server.httpPort, '/janus/info');
        assert.equal(reply.status, 200);
        assert.equal(reply.headers['content-type'], 'application/json');
        assert.equal(JSON.parse(reply.body).janus, 'server_info');
    });
});

describe('the default static folder', { skip: againstJanus && 'Janus serves no static files' }, () => {
    test('is web/ of the working directory, with the demo pages and their libraries', async () => {
        const server = await startServer({ PRISM_HTTP_STATIC_DIR: undefined }, { cwd: REPO_ROOT });
        try {
            const index = await raw(server.httpPort, '/');
            assert.equal(index.status, 200);
            assert.match(index.body, /<title>Prism demos<\/title>/);
            for (const page of ['/echotest.html', '/videoroom.html', '/js/room.js', '/css/demo.css']) {
                assert.equal((await raw(server.httpPort, page)).status, 200, page);
            }
            const janus = await raw(server.httpPort, '/node_modules/janus-gateway/npm/dist/janus.es.js');
            assert.equal(janus.status, 200, 'janus.js missing: run scripts/install-deps');
            assert.equal(janus.headers['content-type'], 'text/javascript; charset=utf-8');
            const adapter = await raw(server.httpPort, '/node_modules/webrtc-adapter/out/adapter.js');
            assert.equal(adapter.status, 200, 'adapter.js missing: run scripts/install-deps');
        } finally {
            await server.stop();
        }
    });
});
