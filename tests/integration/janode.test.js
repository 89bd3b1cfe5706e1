// janode, Meetecho's Node.js Janus client, used unmodified against the server: connect over
// WebSocket, create a session, attach the echotest, exchange a message, stay alive on its own
// keepalives past a short session timeout, and tear everything down.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Janode from 'janode';
import EchoTestPlugin from 'janode/plugins/echotest';
import { sleep, startServer } from './lib/server.js';

const TIMEOUT_S = 3;
let server;

before(async () => {
    server = await startServer({ PRISM_GENERAL_SESSION_TIMEOUT: String(TIMEOUT_S) });
    Janode.Logger.setLevel(process.env.JANODE_LOG_LEVEL || 'warning');
});

after(async () => {
    await server?.stop();
});

test('janode runs a session with the echotest plugin end to end', async () => {
    const connection = await Janode.connect({
        address: { url: server.wsUrl },
        retry_time_secs: 1,
        max_retries: 1,
    });
    const info = await connection.getInfo();
    assert.equal(info.janus, 'server_info');
    assert.ok(info.plugins[EchoTestPlugin.id]);

    // Keepalive every second: well inside the 3 s timeout. Without them the session would die.
    const session = await connection.create(1);
    let destroyedEarly = false;
    session.once(Janode.EVENT.SESSION_DESTROYED, () => (destroyedEarly = true));
    const handle = await session.attach(EchoTestPlugin);
    assert.ok(handle.id > 0);

    // janode resolves a message with the raw Janus event once its echotest handler accepted it.
    const reply = await handle.message({ audio: true, video: false });
    assert.equal(reply.janus, 'event');
    assert.equal(reply.sender, handle.id);
    assert.equal(reply.session_id, session.id);
    assert.deepEqual(reply.plugindata.data, { echotest: 'event', result: 'ok' });

    await sleep((TIMEOUT_S * 2 + 1) * 1000);
    assert.equal(destroyedEarly, false, 'the session timed out despite janode\'s keepalives');
    const again = await handle.message({ audio: false });
    assert.equal(again.plugindata.data.result, 'ok');

    await handle.detach();
    await session.destroy();
    await connection.close();
});

test('a janode session without keepalives times out and janode is told', async () => {
    const connection = await Janode.connect({ address: { url: server.wsUrl }, max_retries: 1 });
    // A keepalive period far beyond the timeout: the server must end the session.
    const session = await connection.create(600);
    const destroyed = new Promise((resolve) => session.once(Janode.EVENT.SESSION_DESTROYED, resolve));
    const outcome = await Promise.race([
        destroyed.then(() => 'destroyed'),
        sleep((TIMEOUT_S + 12) * 1000).then(() => 'still alive'),
    ]);
    assert.equal(outcome, 'destroyed');
    await connection.close();
});
