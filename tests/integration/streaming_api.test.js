// janus.plugin.streaming requests with bad input: each refused with Janus's error code, and
// nothing created. No media flows here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from './lib/server.js';
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

test('secret, pin, duplicate ids, busy ports and switching between different layouts',
    async () => {
        const stream = await create({ id: 4242, secret: 's3', pin: 'p1', is_private: true });
        assert.equal(stream.id, 4242);
        await expectError({ request: 'create', type: 'rtp', id: 4242, media: opusVp8Media() },
            456, /exists/);
        await expectError({ request: 'create', type: 'rtp', media: [{ type: 'audio', mid: 'a',
            port: stream.ports[0].port, pt: 111, codec: 'opus' }] }, 456, /bind/i);
        await expectError({ request: 'create', type: 'rtp', media: opusVp8Media(),
            permanent: true }, 456, /ermanent/);
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
        await expectError({ request: 'watch', id: 4242, pin: 'p1' }, 455, /enabled/);
        const { data: destroyed } = await handle.request({ request: 'destroy', id: 4242,
            secret: 's3' });
        assert.deepEqual(destroyed, { streaming: 'destroyed', id: 4242 });
        // The ports are free again.
        await create({ media: [{ type: 'audio', mid: 'a', port: stream.ports[0].port, pt: 111,
            codec: 'opus' }] });
    });
