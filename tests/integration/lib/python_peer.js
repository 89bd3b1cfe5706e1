// The Python test peers (peers/*.py: aiortc, GStreamer webrtcbin) run as child processes
// against the server's REST API; each prints one JSON result on stdout.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PEERS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'peers');
// Debian's interpreter, where python3-aiortc, python3-gi and the GStreamer typelibs are
// installed (PATH may lead to another Python).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

// Runs peers/<script> with `--base <base> ...args` and resolves with the JSON it printed.
export async function runPythonPeer(script, base, ...args) {
    const child = spawn(PYTHON, [path.join(PEERS, script), '--base', base, ...args],
        { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => (out += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90000);
    const code = await new Promise((resolve) => {
        child.once('exit', (status, signal) => resolve(status ?? signal));
    });
    clearTimeout(timer);
    assert.equal(code, 0, `${script} exited with ${code}; stdout: ${out}`);
    return JSON.parse(out);
}
