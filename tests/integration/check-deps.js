// Fails with a clear message when the integration tests cannot run here: ctest runs it first as
// the fixture every integration test requires.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const problems = [];
const major = Number(process.versions.node.split('.')[0]);
if (major < 18) problems.push(`Node.js ${process.versions.node} is too old: 18.18 or newer is needed`);
for (const name of ['janode', 'ws', '@roamhq/wrtc', 'janus-gateway', 'webrtc-adapter',
    'playwright-core']) {
    if (!existsSync(path.join(here, 'node_modules', name, 'package.json'))) {
        problems.push(`npm package ${name} is missing from tests/integration/node_modules`);
    }
}
// The aiortc media test runs Debian's Python, where python3-aiortc lives.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const aiortc = spawnSync(python, ['-c', 'import aiortc, numpy'], { encoding: 'utf8' });
if (aiortc.status !== 0) {
    problems.push(`${python} cannot import aiortc (Debian package python3-aiortc): ` +
        `${(aiortc.stderr || aiortc.error?.message || '').trim().split('\n').pop()}`);
}
// The webrtcbin media test (peers/gst_echo.py) needs GStreamer's typelibs and these elements.
const gstElements = ['webrtcbin', 'nicesrc', 'videotestsrc', 'audiotestsrc', 'audioconvert',
    'audioresample', 'vp8enc', 'vp8dec', 'rtpvp8pay', 'rtpvp8depay', 'opusenc', 'opusdec',
    'rtpopuspay', 'rtpopusdepay'];
const gst = spawnSync(python, ['-c', `
import sys, gi
for name, version in [("Gst", "1.0"), ("GstSdp", "1.0"), ("GstWebRTC", "1.0"), ("Nice", "0.1")]:
    gi.require_version(name, version)
from gi.repository import Gst
Gst.init(None)
missing = [e for e in sys.argv[1:] if Gst.ElementFactory.find(e) is None]
sys.exit("missing GStreamer elements: " + " ".join(missing) if missing else 0)
`, ...gstElements], { encoding: 'utf8' });
if (gst.status !== 0) {
    problems.push(`${python} cannot run the GStreamer peer (Debian packages gstreamer1.0-plugins-* ` +
        `gstreamer1.0-nice gir1.2-gst-plugins-bad-1.0 python3-gi): ` +
        `${(gst.stderr || gst.error?.message || '').trim().split('\n').pop()}`);
}
// The WHIP test publishes with Debian's simple-whip-client.
if (spawnSync('whip-client', ['--help'], { encoding: 'utf8' }).error) {
    problems.push('whip-client is missing (Debian package simple-whip-client)');
}
// The browser tests drive Debian's Chromium.
const chromium = process.env.PRISM_CHROMIUM || '/usr/bin/chromium';
try {
    accessSync(chromium, constants.X_OK);
} catch {
    problems.push(`${chromium} is missing (Debian package chromium)`);
}
for (const name of ['janus-gateway', 'webrtc-adapter']) {
    if (!existsSync(path.join(here, '..', '..', 'web', 'node_modules', name, 'package.json'))) {
        problems.push(`npm package ${name} of the demo pages is missing from web/node_modules`);
    }
}
if (!process.env.JANUS_CMD) {
    try {
        accessSync(process.env.PRISM_BIN || '', constants.X_OK);
    } catch {
        problems.push(`PRISM_BIN (${process.env.PRISM_BIN || 'unset'}) is not an executable`);
    }
}
if (problems.length) {
    for (const problem of problems) console.error(`integration tests cannot run: ${problem}`);
    console.error('run scripts/install-deps (scripts/test does) and build the prism target');
    process.exit(1);
}
console.log('integration test dependencies are in place');
