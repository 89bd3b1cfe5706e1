// prism-bench smoke runs: every scenario for a few seconds with small counts against a running
// Prism, asserting that the bench exits cleanly, that requests or packets really flowed (both
// ways where the scenario has both), and that the JSON result is well formed. No timing is
// asserted: speed is the bench's own business (bench/README.md).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer } from './lib/server.js';

const BENCH = process.env.PRISM_BENCH_BIN;
let server;
let dir;

before(async () => {
    assert.ok(BENCH, 'PRISM_BENCH_BIN is not set (ctest sets it)');
    server = await startServer();
    dir = mkdtempSync(path.join(os.tmpdir(), 'prism-bench-smoke-'));
});

after(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

// Runs prism-bench with `args`; resolves with its exit code, output and parsed result file.
function bench(scenario, args, url = server.wsUrl) {
    const json = path.join(dir, `${scenario}-${Date.now()}.json`);
    const argv = [scenario, '--url', url, '--json', json, '--quiet', '--duration', '2',
        '--warmup', '0.5', ...args];
    return new Promise((resolve, reject) => {
        const child = spawn(BENCH, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.stderr.on('data', (chunk) => (out += chunk));
        const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
        child.on('error', reject);
        child.on('exit', (code, signal) => {
            clearTimeout(timer);
            let result = null;
            try {
                result = JSON.parse(readFileSync(json, 'utf8'));
            } catch (error) {
                out += `\n(no result file: ${error.message})`;
            }
            resolve({ code, signal, out, result });
        });
    });
}

function checkResult(run, scenario, load) {
    assert.equal(run.code, 0, `prism-bench ${scenario} failed:\n${run.out}`);
    const result = run.result;
    assert.ok(result, `no result file:\n${run.out}`);
    assert.equal(result.format, 'prism-bench-1');
    assert.equal(result.scenario, scenario);
    assert.ok(Array.isArray(result.steps) && result.steps.length === 1);
    const step = result.steps[0];
    assert.equal(step.load, load);
    assert.ok(step.duration_s > 0);
    assert.equal(step.server_cpu > 0, true, 'server CPU was sampled');
    assert.ok(step.server_rss_mb > 0, 'server RSS was sampled');
    return step;
}

function checkMedia(step) {
    assert.ok(step.packets_sent > 0, 'the bench sent media');
    assert.ok(step.packets_received > 0, 'media came back through the server');
    assert.ok(step.expected >= step.packets_received - step.duplicates - 5);
    assert.ok(step.latency.count > 0, 'latency was measured from the send stamps');
    assert.ok(step.latency.p50_ms > 0 && step.latency.p50_ms <= step.latency.p99_ms);
    assert.equal(step.join_failures, 0);
}

test('api: requests are answered over WebSocket and HTTP', async () => {
    const ws = checkResult(await bench('api', ['--count', '4', '--sockets', '2']), 'api', 4);
    assert.ok(ws.requests > 20 && ws.requests_per_s > 0);
    assert.equal(ws.errors, 0);
    assert.ok(ws.request_latency.count > 0);
    const http = checkResult(await bench('api', ['--count', '2'], server.base), 'api', 2);
    assert.ok(http.requests > 10);
    assert.equal(http.errors, 0);
});

test('echo: two calls get their own audio and video back', async () => {
    const step = checkResult(await bench('echo', ['--count', '2', '--data']), 'echo', 2);
    checkMedia(step);
    assert.equal(step.joined, 2);
    // Each echo call sends and receives about the same stream.
    assert.ok(step.packets_received > step.packets_sent / 2);
});

test('room: three members each receive the two others', async () => {
    // A PLI every 0.5 s: at the default 3 s, with a random phase per stream, all six video
    // streams could send theirs too late in the 2 s run for the keyframe to be measured.
    const step = checkResult(await bench('room', ['--count', '3', '--pli-interval', '0.5']),
        'room', 3);
    checkMedia(step);
    // Every packet a member sends reaches the two others.
    assert.ok(step.packets_received > step.packets_sent);
    assert.ok(step.keyframe.count > 0, 'a keyframe answered the measuring subscribers\' PLIs');
});

test('room --simulcast: three layers per publisher, subscribers switch layers', async () => {
    // Each member sends l/m/h layers (keyframes 320, 640, 1280 wide); each subscriber asks for
    // layer index mod 3 and moves to the next one every 0.6 s.
    const step = checkResult(await bench('room', ['--count', '3', '--simulcast',
        '--switch-interval', '0.6', '--duration', '3']), 'room', 3);
    checkMedia(step);
    assert.ok(step.layer_switches > 0, `the server announced layer switches: ${step.layer_switches}`);
    assert.ok(step.layer_switch.count > 0, 'switches ended at a keyframe of the asked layer');
    assert.ok(step.layer_switch.p50_ms > 0);
    assert.ok(step.layer_keyframes_asked >= step.layer_switch.count);
    assert.equal(step.layer_keyframes_other, 0, 'no keyframe of another layer once switched');
});

test('broadcast: one publisher, five viewers', async () => {
    const step = checkResult(await bench('broadcast', ['--count', '5', '--pli-interval', '0.5']),
        'broadcast', 5);
    checkMedia(step);
    assert.equal(step.joined, 5);
    assert.ok(step.packets_received > 3 * step.packets_sent);
});

// The participants' ICE: the light client mode (media/iceclient) is the default; libnice
// agents stay available as the fallback.
test('broadcast: viewers on libnice agents (--ice libnice) and on the light client', async () => {
    for (const mode of ['libnice', 'light']) {
        const run = await bench('broadcast', ['--count', '3', '--ice', mode]);
        const step = checkResult(run, 'broadcast', 3);
        checkMedia(step);
        assert.equal(step.joined, 3, `--ice ${mode}: viewers joined; the bench said:\n${run.out}`);
        assert.ok(step.packets_received > 2 * step.packets_sent);
    }
    const bad = await bench('broadcast', ['--count', '1', '--ice', 'nonsense']);
    assert.notEqual(bad.code, 0, 'an unknown --ice mode is refused');
});

// The other broadcast paths: each for a few seconds, every viewer joined and getting media.
// WHIP/WHEP are on the HTTP server (--http-url); the RTP path creates a streaming mountpoint
// and sends plain RTP to its ports.
function checkBroadcastPath(run, viewers) {
    const step = checkResult(run, 'broadcast', viewers);
    checkMedia(step);
    assert.equal(step.joined, viewers, `viewers joined; the bench said:\n${run.out}`);
    assert.ok(step.packets_received > 2 * step.packets_sent,
        `each viewer gets the broadcast: sent ${step.packets_sent}, received ${step.packets_received}`);
    assert.equal(step.errors, 0, `errors; the bench said:\n${run.out}`);
    return step;
}

const broadcastPaths = [
    ['WHIP publisher, Janus API viewers', ['--ingest', 'whip']],
    ['WHIP publisher, WHEP viewers', ['--ingest', 'whip', '--viewers', 'whep']],
    ['VideoRoom publisher, WHEP viewers', ['--viewers', 'whep']],
    ['RTP to a mountpoint, Janus API streaming viewers', ['--ingest', 'rtp']],
];
for (const [name, args] of broadcastPaths) {
    test(`broadcast: ${name}`, async () => {
        const run = await bench('broadcast', ['--count', '3', '--pli-interval', '0.5',
            '--http-url', server.origin, ...args]);
        const step = checkBroadcastPath(run, 3);
        if (args.includes('rtp')) {
            // Nothing goes back to a plain RTP source: the measuring viewers' PLIs are answered
            // from the mountpoint's kept keyframe or by the source's next one.
            assert.ok(step.keyframe.count > 0, 'keyframes reached the measuring viewers');
        }
    });
}

// WHEP from a streaming mountpoint (/whep/mountpoint/{id}): a 404 there fails the run.
test('broadcast: RTP to a mountpoint, WHEP viewers', async () => {
    const run = await bench('broadcast', ['--count', '3', '--ingest', 'rtp', '--viewers', 'whep',
        '--http-url', server.origin]);
    assert.doesNotMatch(run.out, /whep\/mountpoint\/\d+: 404/, 'no /whep/mountpoint on the server');
    checkBroadcastPath(run, 3);
});

test('broadcast: a WHIP publisher the server refuses fails the run cleanly', async () => {
    // A room that does not exist: the POST gets 404, the broadcaster fails, no viewer starts.
    const run = await bench('broadcast', ['--count', '2', '--ingest', 'whip', '--room', '999777555',
        '--http-url', server.origin]);
    assert.equal(run.signal, null, `the bench crashed:\n${run.out}`);
    assert.match(run.out, /404/);
    assert.ok(run.result, `no result file:\n${run.out}`);
    assert.equal(run.result.steps[0].join_failures, 1);
});

test('churn: members join and leave while media flows', async () => {
    const run = await bench('churn', ['--rate', '2', '--stay', '1.5', '--duration', '4']);
    const step = checkResult(run, 'churn', 2);
    assert.ok(step.packets_sent > 0 && step.packets_received > 0);
    assert.ok(step.joined >= 4, `members joined: ${step.joined}`);
    assert.equal(step.join_failures, 0, `failed joins; the bench said:\n${run.out}`);
});
