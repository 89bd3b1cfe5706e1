// general.log_file: the log goes to the file, and SIGHUP opens it again under its name, so after
// logrotate renamed it new lines land in a new file and none in the renamed one.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { againstJanus, sleep, startServer } from './lib/server.js';
import { JanusWs } from './lib/ws.js';

const skip = againstJanus && 'Janus names its log file setting differently (log_to_file)';

// Waits until `file` exists and holds a line matching `pattern`; returns the text.
async function waitForLine(file, pattern) {
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline) {
        const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
        if (pattern.test(text)) return text;
        await sleep(50);
    }
    throw new Error(`${file} got no line matching ${pattern} within 10 s`);
}

test('SIGHUP reopens the log file after it was renamed', { skip }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prism-log-'));
    const log = path.join(dir, 'prism.log');
    const rotated = `${log}.1`;
    const server = await startServer({
        PRISM_GENERAL_LOG_FILE: log,
        PRISM_GENERAL_LOG_LEVEL: 'verbose',
    });
    try {
        await waitForLine(log, /Prism [^ ]+ starting/);
        renameSync(log, rotated);
        server.child.kill('SIGHUP');
        await waitForLine(log, /SIGHUP: log file reopened/);

        const client = await JanusWs.connect(server.wsUrl);
        const sessionId = await client.create();
        const fresh = await waitForLine(log, new RegExp(`session ${sessionId} created`));
        assert.doesNotMatch(fresh, /starting/, 'the new file holds lines of the old one');
        const old = readFileSync(rotated, 'utf8');
        assert.match(old, /starting/);
        assert.doesNotMatch(old, new RegExp(`session ${sessionId}`), 'a new line went to the old file');
        await client.close();
    } finally {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
    }
    // The server is still the one that started: SIGHUP did not stop it (stop() checked exit 0).
});
