// Headless Chromium (Debian's package) driven by playwright-core, for the demo pages' tests:
// a fake camera and microphone, permission prompts answered yes, no network but loopback
// (the tests run in netns-run), and screenshots kept in the build directory.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const INTEGRATION_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export const CHROMIUM = process.env.PRISM_CHROMIUM || '/usr/bin/chromium';

const ARGS = [
    '--headless',
    '--no-sandbox',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-gpu',
    // Received audio is decoded only while an element plays it (lib/browser_peer.js).
    '--autoplay-policy=no-user-gesture-required',
    // The namespace has only loopback, which WebRTC leaves out of ICE unless told, and host
    // candidates must be plain addresses (not mDNS names) for the server to use them.
    '--allow-loopback-in-peer-connection',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
];

const MISSING = `${CHROMIUM} not found (scripts/install-deps installs chromium)`;

// Under CI (the environment variable CI set, not to "false" or "0"; .ci/run sets it) a browser
// test never skips: without Chromium it fails.
const underCi = Boolean(process.env.CI) && !/^(false|0)$/i.test(process.env.CI);

// Why the browser tests cannot run here, or null when they can (always null under CI, where
// launchBrowser then fails).
export function browserMissing() {
    return existsSync(CHROMIUM) || underCi ? null : MISSING;
}

// Starts Chromium. playwright gives every launch a fresh profile (user-data-dir) in a
// temporary folder and deletes it on close; each newContext() is a separate profile in it.
export async function launchBrowser() {
    if (!existsSync(CHROMIUM)) throw new Error(`${MISSING}: under CI the browser tests must run`);
    return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30000 });
}

// Where screenshots go: beside the prism binary under test (the build directory), so ctest
// runs keep them as artifacts; PRISM_ARTIFACTS_DIR overrides.
export function artifactsDir(name) {
    const base = process.env.PRISM_ARTIFACTS_DIR
        || (process.env.PRISM_BIN ? path.join(path.dirname(process.env.PRISM_BIN), 'test-artifacts')
            : path.join(process.cwd(), 'test-artifacts'));
    const dir = path.join(base, name);
    mkdirSync(dir, { recursive: true });
    return dir;
}

// Copies the page's console errors and uncaught exceptions to the test output, prefixed.
export function forwardConsole(page, label) {
    page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') {
            process.stderr.write(`[${label} ${message.type()}] ${message.text()}\n`);
        }
    });
    page.on('pageerror', (error) => process.stderr.write(`[${label} exception] ${error.message}\n`));
}

// Waits until `check()` (async) returns a truthy value, polling; fails with `what` and the
// last value after `timeoutMs`.
export async function waitFor(what, check, timeoutMs = 30000, intervalMs = 250) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
        last = await check();
        if (last) return last;
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

// A janus.js test page and what it loads, served on 127.0.0.1 (an ephemeral port): `page` is
// a file of pages/ ('videoroom' serves pages/videoroom.html and .js). Nothing else is served.
// Returns the node HTTP server; close() it at the end.
export async function servePage(page) {
    const files = {
        [`/pages/${page}.html`]: [`pages/${page}.html`, 'text/html'],
        [`/pages/${page}.js`]: [`pages/${page}.js`, 'text/javascript'],
        '/node_modules/janus-gateway/npm/src/janus.js':
            ['node_modules/janus-gateway/npm/src/janus.js', 'text/javascript'],
        '/node_modules/webrtc-adapter/out/adapter.js':
            ['node_modules/webrtc-adapter/out/adapter.js', 'text/javascript'],
    };
    const server = http.createServer((request, response) => {
        const entry = files[new URL(request.url, 'http://127.0.0.1').pathname];
        if (!entry) {
            response.writeHead(404).end();
            return;
        }
        response.writeHead(200, { 'content-type': entry[1], 'cache-control': 'no-store' });
        response.end(readFileSync(path.join(INTEGRATION_DIR, entry[0])));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
}
