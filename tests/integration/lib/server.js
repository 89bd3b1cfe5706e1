// Starts the server under test (Prism, or real Janus to validate the tests) on free ports, waits
// until it answers, and stops it with SIGTERM, checking for a clean exit.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import https from 'node:https';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..', '..');
export const WEB_DIR = path.join(REPO_ROOT, 'web');
const READY_TIMEOUT_MS = 20000;
const EXIT_TIMEOUT_MS = 5000;

if (!existsSync(path.join(HERE, '..', 'node_modules', 'ws'))) {
    throw new Error('tests/integration/node_modules is missing: run scripts/install-deps');
}

// True when the tests run against real Janus (JANUS_CMD) rather than Prism.
export const againstJanus = Boolean(process.env.JANUS_CMD);

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A TCP port nobody listens on right now (the kernel picks it).
export async function freePort() {
    return new Promise((resolve, reject) => {
        const probe = net.createServer();
        probe.unref();
        probe.on('error', reject);
        probe.listen(0, '127.0.0.1', () => {
            const { port } = probe.address();
            probe.close(() => resolve(port));
        });
    });
}

async function udpPortFree(port) {
    return new Promise((resolve) => {
        const socket = dgram.createSocket('udp4');
        socket.once('error', () => resolve(false));
        socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
}

// The first of `count` consecutive UDP ports nobody has bound right now.
export async function freeUdpPorts(count) {
    for (let attempt = 0; attempt < 50; attempt++) {
        const base = 20000 + Math.floor(Math.random() * 40000);
        let free = true;
        for (let i = 0; i < count && free; i++) free = await udpPortFree(base + i);
        if (free) return base;
    }
    throw new Error(`no ${count} consecutive free UDP ports found`);
}

// PRISM_TEST_ICE_MODE picks the server's ICE mode: ctest runs the media tests once with "full"
// (integration/*) and once with "lite" (integration-lite/*); unset keeps Prism's default
// (lite). In lite mode the worker ports are free ones, not the fixed default.
export const testIceMode = process.env.PRISM_TEST_ICE_MODE || '';

async function iceModeSettings(settings) {
    if (againstJanus) return {};
    const env = testIceMode ? { PRISM_MEDIA_ICE_MODE: testIceMode } : {};
    const mode = settings.PRISM_MEDIA_ICE_MODE || testIceMode || 'lite';
    if (mode !== 'lite') return env;
    const workers = Number(settings.PRISM_GENERAL_WORKERS || process.env.PRISM_GENERAL_WORKERS) ||
        os.cpus().length;
    env.PRISM_MEDIA_UDP_PORT = String(await freeUdpPorts(workers));
    return env;
}

async function canConnect(port) {
    return new Promise((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port });
        socket.once('connect', () => {
            socket.destroy();
            resolve(true);
        });
        socket.once('error', () => resolve(false));
    });
}

// A config dir of our own, so a test never reads or writes the checked-in conf/.
function makeConfigDir() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prism-itest-'));
    const source = process.env.PRISM_CONF_DIR || path.join(REPO_ROOT, 'conf');
    if (existsSync(source)) {
        for (const name of readdirSync(source)) {
            if (name.endsWith('.jcfg')) cpSync(path.join(source, name), path.join(dir, name));
        }
    }
    return dir;
}

function launch(env, configDir, cwd) {
    if (againstJanus) {
        // The command gets the same PRISM_* overrides and must exec the server, so the pid we
        // signal is the server's own.
        return spawn('bash', ['-c', process.env.JANUS_CMD], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    const bin = process.env.PRISM_BIN;
    if (!bin) throw new Error('set PRISM_BIN to the prism binary (or JANUS_CMD to run real Janus)');
    // Resolved here, so a relative PRISM_BIN still works with another working directory.
    return spawn(path.resolve(bin), ['--config-dir', configDir], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

// The HTTP status of GET `url`; over HTTPS checked against the certificate `ca`.
async function infoStatus(url, ca) {
    if (!ca) {
        const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer();
        return response.status;
    }
    return new Promise((resolve, reject) => {
        const request = https.get(url, { ca, timeout: 1000 }, (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode));
        });
        request.on('timeout', () => request.destroy(new Error('timeout')));
        request.on('error', reject);
    });
}

// One running server. Its output goes to our stderr with a prefix, so ctest shows it on failure.
export class Server {
    // `ca`: the PEM certificate the server's HTTPS and WSS ports are checked against; unset for
    // plain HTTP and WebSocket.
    constructor(child, ports, configDir, { ca } = {}) {
        this.child = child;
        this.pid = child.pid;
        this.httpPort = ports.http;
        this.wsPort = ports.ws;
        this.ca = ca;
        this.origin = `${ca ? 'https' : 'http'}://127.0.0.1:${ports.http}`;
        this.base = `${this.origin}/janus`;
        this.infoUrl = `${this.base}/info`;
        this.wsUrl = `${ca ? 'wss' : 'ws'}://127.0.0.1:${ports.ws}`;
        this.configDir = configDir;
        this.exit = new Promise((resolve) => {
            child.once('exit', (code, signal) => resolve({ code, signal }));
        });
        this.exited = null;
        this.exit.then((status) => (this.exited = status));
        const forward = (stream) => {
            stream.on('data', (chunk) => {
                for (const line of chunk.toString().split('\n')) {
                    if (line) process.stderr.write(`[server ${this.pid}] ${line}\n`);
                }
            });
        };
        forward(child.stdout);
        forward(child.stderr);
    }

    async waitReady() {
        const deadline = Date.now() + READY_TIMEOUT_MS;
        while (Date.now() < deadline) {
            if (this.exited) {
                throw new Error(`server exited during start-up: ${JSON.stringify(this.exited)}`);
            }
            try {
                const status = await infoStatus(this.infoUrl, this.ca);
                if (status === 200 && (await canConnect(this.wsPort))) return;
            } catch {
                // not listening yet
            }
            await sleep(50);
        }
        throw new Error(`server did not answer ${this.infoUrl} within ${READY_TIMEOUT_MS} ms`);
    }

    // Number of open file descriptors of the server process.
    fdCount() {
        return readdirSync(`/proc/${this.pid}/fd`).length;
    }

    // Resident set size of the server process, in bytes.
    rssBytes() {
        const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
        const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
        return match ? Number(match[1]) * 1024 : 0;
    }

    // Sends SIGTERM and resolves with {code, signal, ms} once the process exits; a server still
    // running after `timeoutMs` is killed and reported as an error.
    async terminate(timeoutMs = EXIT_TIMEOUT_MS) {
        const started = Date.now();
        if (!this.exited) this.child.kill('SIGTERM');
        let timer;
        const late = new Promise((resolve) => {
            timer = setTimeout(resolve, timeoutMs, null);
        });
        const status = await Promise.race([this.exit, late]);
        clearTimeout(timer);
        if (!status) {
            this.child.kill('SIGKILL');
            await this.exit;
            throw new Error(`server still running ${timeoutMs} ms after SIGTERM`);
        }
        return { ...status, ms: Date.now() - started };
    }

    // Stops the server and fails unless it exited with status 0 within the limit.
    async stop() {
        try {
            const status = await this.terminate();
            if (status.code !== 0) {
                throw new Error(`server exited with ${JSON.stringify(status)} after SIGTERM, not 0`);
            }
        } finally {
            rmSync(this.configDir, { recursive: true, force: true });
        }
    }
}

// True when the server under test is built with AddressSanitizer (its binary carries the ASan
// runtime, which replaces malloc with an allocator of its own).
export function serverUsesAsan() {
    const bin = process.env.PRISM_BIN;
    return !againstJanus && Boolean(bin) && readFileSync(path.resolve(bin)).includes('__asan_init');
}

// The per-address client limits turned off, for tests and load from one address.
export const UNLIMITED_CLIENTS = {
    PRISM_GENERAL_MAX_SESSIONS_PER_ADDRESS: '0',
    PRISM_GENERAL_REQUESTS_PER_SECOND: '0',
    PRISM_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0',
    PRISM_WEBSOCKETS_MAX_CONNECTIONS_PER_ADDRESS: '0',
};

// Starts a server with extra PRISM_* settings, e.g. {PRISM_GENERAL_SESSION_TIMEOUT: '3'}; a
// setting given as undefined is removed from the environment. `cwd` is its working directory;
// `ca` the certificate to trust when the settings turn HTTPS and WSS on.
export async function startServer(settings = {}, { cwd, ca } = {}) {
    const ports = { http: await freePort(), ws: await freePort() };
    while (ports.ws === ports.http) ports.ws = await freePort();
    const configDir = makeConfigDir();
    const env = {
        ...process.env,
        PRISM_GENERAL_LOG_LEVEL: process.env.PRISM_TEST_LOG_LEVEL || 'warn',
        PRISM_HTTP_PORT: String(ports.http),
        PRISM_WEBSOCKETS_PORT: String(ports.ws),
        // The demo pages, whatever the working directory (the default "web" is relative to it).
        PRISM_HTTP_STATIC_DIR: WEB_DIR,
        // Every test client comes from loopback: the per-address limits (on by default) are
        // off unless a test sets them (limits.test.js crosses each one).
        ...UNLIMITED_CLIENTS,
        ...(await iceModeSettings(settings)),
        ...settings,
    };
    for (const [name, value] of Object.entries(env)) {
        if (value === undefined) delete env[name];
    }
    const server = new Server(launch(env, configDir, cwd), ports, configDir, { ca });
    try {
        await server.waitReady();
    } catch (error) {
        if (!server.exited) server.child.kill('SIGKILL');
        rmSync(configDir, { recursive: true, force: true });
        throw error;
    }
    return server;
}
