// janus.plugin.streaming requests with bad input: each refused with Janus's error code, and
// nothing created; mountpoints from the config file. No media flows here.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, REPO_ROOT, startServer } from './lib/server.js';
import { connectJanode } from './lib/videoroom.js';
import { opusVp8Media, StreamHandle } from './lib/streaming.js';

let server;
let connection;
let handle;

before(async () => {
    server = await startServer();
    connection = await connectJanode(server);
    handle = await StreamHandle.attach(await connection.create());
});

after(async () => {
    await connection?.close().catch(() => {});
    await server?.stop();
});

async function expectError(body, code, words) {
    const { data } = await handle.request(body);
    assert.equal(data.error_code, code, `${JSON.stringify(body)} -> ${JSON.stringify(data)}`);
    if (words) assert.match(data.error, words);
}

async function create(extra = {}) {
    const { data } = await handle.request({ request: 'create', type: 'rtp',
        media: opusVp8Media(), ...extra });
    assert.equal(data.streaming, 'created', JSON.stringify(data));
    return data.stream;
}

test('malformed requests are refused with the Streaming plugin\'s codes', async () => {
    await expectError({}, 453, /request/);
    await expectError({ request: 'fly' }, 452, /fly/);
    await expectError({ request: 'info' }, 453, /id/);
    await expectError({ request: 'info', id: 'one' }, 454, /id/);
    await expectError({ request: 'info', id: 987654321 }, 455);
    await expectError({ request: 'watch', id: 987654321 }, 455);
    await expectError({ request: 'create', type: 'rtsp', media: opusVp8Media() }, 454, /rtp/);
    await expectError({ request: 'create', type: 'rtp' }, 453, /media/);
    await expectError({ request: 'create', type: 'rtp', media: [] }, 454, /media/);
    await expectError({ request: 'create', type: 'rtp',
        media: [{ type: 'video', mid: 'v', port: 0, pt: 96, codec: 'mpeg2' }] }, 454, /codec/);
    await expectError({ request: 'create', type: 'rtp',
        media: [{ type: 'video', mid: 'v', port: 0, codec: 'vp8' }] }, 453, /pt/);
    await expectError({ request: 'start' }, 460);
    await expectError({ request: 'pause' }, 460);
    await expectError({ request: 'stop' }, 460);
    await expectError({ request: 'switch', id: 1 }, 460);
    const { data } = await handle.request({ request: 'list' });
    assert.deepEqual(data.list, []);
});

test('secret, pin, private, disabled and re-enabled mountpoints, duplicate ids and busy ports',
    async () => {
        const stream = await create({ id: 4242, secret: 's3', pin: 'p1', is_private: true });
        assert.equal(stream.id, 4242);
        await expectError({ request: 'create', type: 'rtp', id: 4242, media: opusVp8Media() },
            456, /exists/);
        await expectError({ request: 'create', type: 'rtp', media: [{ type: 'audio', mid: 'a',
            port: stream.ports[0].port, pt: 111, codec: 'opus' }] }, 456, /bind/i);
        const { data: listed } = await handle.request({ request: 'list' });
        assert.equal(listed.list.length, 0, 'private mountpoints are not listed');
        await expectError({ request: 'destroy', id: 4242 }, 457);
        await expectError({ request: 'destroy', id: 4242, secret: 'nope' }, 457);
        await expectError({ request: 'edit', id: 4242, secret: 'nope', new_pin: 'x' }, 457);
        await expectError({ request: 'disable', id: 4242 }, 457);
        await expectError({ request: 'watch', id: 4242 }, 457, /pin/);
        await expectError({ request: 'watch', id: 4242, pin: 'wrong' }, 457, /pin/);
        const { data: edited } = await handle.request({ request: 'edit', id: 4242, secret: 's3',
            new_description: 'renamed', new_is_private: false });
        assert.deepEqual(edited, { streaming: 'edited', id: 4242, permanent: false });
        const { data: relisted } = await handle.request({ request: 'list' });
        assert.equal(relisted.list[0].description, 'renamed');
        const { data: disabled } = await handle.request({ request: 'disable', id: 4242,
            secret: 's3' });
        assert.deepEqual(disabled, { streaming: 'ok' });
        // A disabled mountpoint is listed as such and refuses viewers with Janus's 455
        // ("not enabled", as for no such mountpoint) until enabled again (with the secret).
        const { data: whileDisabled } = await handle.request({ request: 'list' });
        assert.equal(whileDisabled.list.find((m) => m.id === 4242)?.enabled, false);
        await expectError({ request: 'watch', id: 4242, pin: 'p1' }, 455, /enabled/);
        await expectError({ request: 'enable', id: 4242 }, 457);
        await expectError({ request: 'enable', id: 4242, secret: 'nope' }, 457);
        await expectError({ request: 'enable', id: 4343, secret: 's3' }, 455);
        await expectError({ request: 'watch', id: 4242, pin: 'p1' }, 455, /enabled/);
        const { data: enabled } = await handle.request({ request: 'enable', id: 4242,
            secret: 's3' });
        assert.deepEqual(enabled, { streaming: 'ok' });
        const { data: afterEnable } = await handle.request({ request: 'list' });
        assert.equal(afterEnable.list.find((m) => m.id === 4242)?.enabled, true);
        const viewer = await StreamHandle.attach(await connection.create());
        try {
            const watched = await viewer.request({ request: 'watch', id: 4242, pin: 'p1' });
            assert.equal(watched.data.result?.status, 'preparing', JSON.stringify(watched.data));
            assert.equal(watched.jsep?.type, 'offer');
            const { data: stopped } = await viewer.request({ request: 'stop' });
            assert.equal(stopped.result?.status, 'stopping', JSON.stringify(stopped));
        } finally {
            viewer.close();
        }
        const { data: destroyed } = await handle.request({ request: 'destroy', id: 4242,
            secret: 's3' });
        assert.deepEqual(destroyed, { streaming: 'destroyed', id: 4242 });
        // The ports are free again.
        await create({ media: [{ type: 'audio', mid: 'a', port: stream.ports[0].port, pt: 111,
            codec: 'opus' }] });
    });

// A copy of conf/ whose streaming file lists `mountpoints` (libconfig text).
function confWithMountpoints(mountpoints) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prism-streaming-conf-'));
    for (const name of readdirSync(path.join(REPO_ROOT, 'conf'))) {
        cpSync(path.join(REPO_ROOT, 'conf', name), path.join(dir, name));
    }
    const file = path.join(dir, 'prism.plugin.streaming.jcfg');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nmountpoints = (${mountpoints})\n`);
    return dir;
}

test('mountpoints of the config file exist at start', async () => {
    const dir = confWithMountpoints(`{ type = "rtp"; id = 77; description = "from the file";
        secret = "f"; media = ( { type = "video"; mid = "v"; port = 0; pt = 96;
        codec = "vp8" } ) }`);
    const saved = process.env.PRISM_CONF_DIR;
    process.env.PRISM_CONF_DIR = dir;
    let other;
    let otherConnection;
    try {
        other = await startServer();
        otherConnection = await connectJanode(other);
        const otherHandle = await StreamHandle.attach(await otherConnection.create());
        const { data } = await otherHandle.request({ request: 'list' });
        assert.deepEqual(data.list.map((m) => [m.id, m.description]), [[77, 'from the file']]);
        const { data: details } = await otherHandle.request({ request: 'info', id: 77,
            secret: 'f' });
        assert.ok(details.info.media[0].port > 0, JSON.stringify(details));
    } finally {
        if (saved === undefined) delete process.env.PRISM_CONF_DIR;
        else process.env.PRISM_CONF_DIR = saved;
        await otherConnection?.close().catch(() => {});
        await other?.stop();
        rmSync(dir, { recursive: true, force: true });
    }
});

test('a bad mountpoint in the config file stops the start with its file and line', async () => {
    const dir = confWithMountpoints(`{ type = "rtp"; id = 78;
        media = ( { type = "video"; mid = "v"; port = 0; pt = 96; codec = "mpeg2" } ) }`);
    try {
        const child = spawn(path.resolve(process.env.PRISM_BIN), ['--config-dir', dir,
            '--http-port', String(await freePort()), '--ws-port', String(await freePort())],
        { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => { output += chunk; });
        child.stderr.on('data', (chunk) => { output += chunk; });
        const code = await new Promise((resolve) => child.on('exit', resolve));
        assert.notEqual(code, 0);
        assert.match(output, /prism\.plugin\.streaming\.jcfg:\d+: mountpoint: .*codec/);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});

test('permanent create, edit and destroy rewrite the config file; a restart brings it back',
    async () => {
        const file = path.join(server.configDir, 'prism.plugin.streaming.jcfg');
        const kept = await create({ id: 4343, description: 'kept', secret: 'k',
            permanent: true });
        assert.equal(kept.id, 4343);
        assert.match(readFileSync(file, 'utf8'), /id = 4343\n[^]*description = "kept"/);
        const { data: edited } = await handle.request({ request: 'edit', id: 4343, secret: 'k',
            new_description: 'kept "twice"', permanent: true });
        assert.deepEqual(edited, { streaming: 'edited', id: 4343, permanent: true });
        assert.match(readFileSync(file, 'utf8'), /description = "kept \\"twice\\""/);
        // Without "permanent" the file stays as it was, as in Janus.
        await create({ id: 4344 });
        await handle.request({ request: 'edit', id: 4343, secret: 'k', new_description: 'live' });
        const text = readFileSync(file, 'utf8');
        assert.doesNotMatch(text, /4344/);
        assert.match(text, /kept \\"twice\\"/);
        const gone = await create({ id: 4345, permanent: true });
        assert.match(readFileSync(file, 'utf8'), /id = 4345/);
        const { data: destroyed } = await handle.request({ request: 'destroy', id: gone.id,
            permanent: true });
        assert.deepEqual(destroyed, { streaming: 'destroyed', id: 4345 });
        assert.doesNotMatch(readFileSync(file, 'utf8'), /4345/);

        // Destroyed here without "permanent" (its ports free again), it is still in the file: a
        // server started on that file has it, with the same ports and settings.
        await handle.request({ request: 'destroy', id: 4343, secret: 'k' });
        const saved = process.env.PRISM_CONF_DIR;
        process.env.PRISM_CONF_DIR = server.configDir;
        let other;
        let otherConnection;
        try {
            other = await startServer();
            otherConnection = await connectJanode(other);
            const otherHandle = await StreamHandle.attach(await otherConnection.create());
            const { data } = await otherHandle.request({ request: 'info', id: 4343, secret: 'k' });
            assert.equal(data.info?.description, 'kept "twice"', JSON.stringify(data));
            assert.deepEqual(data.info.media.map((m) => m.port), kept.ports.map((p) => p.port));
        } finally {
            if (saved === undefined) delete process.env.PRISM_CONF_DIR;
            else process.env.PRISM_CONF_DIR = saved;
            await otherConnection?.close().catch(() => {});
            await other?.stop();
        }
    });
