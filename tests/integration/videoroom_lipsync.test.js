// Lip sync: the sender reports a VideoRoom subscriber gets carry the publisher's clock, so that
// it plays the publisher's audio and video as they were captured, whatever the forwarding
// jitter. An aiortc publisher (peers/aiortc_lipsync.py) whose clock runs 1000 s ahead of this
// machine's publishes a tone and a test pattern; an aiortc subscriber records the sender reports
// and RTP timestamps it receives. Each report must show the publisher's time (not the server's),
// and its RTP timestamp must be the one the subscriber's packets carried at that time (the
// publisher's timestamp translated into the subscriber's), for audio and for video. The server
// has two workers and the room spreads its second subscriber to the other one, so the clock also
// crosses workers (media/relay). A second test measures the audio/video offset at a subscriber
// with jitter on the publisher's path (below).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runPythonPeer } from './lib/python_peer.js';
import { newRoomId } from './lib/videoroom.js';
import { startServer } from './lib/server.js';

const SHIFT_S = 1000;
const NTP_UNIX_OFFSET_S = 2208988800;
// How far a report's RTP timestamp may be from what the packets imply. aiortc reads the NTP time
// of its reports after awaiting the packet's send, so its own mapping is off by however long its
// event loop stalled (212 ms seen on a loaded machine). A wrong translation would be off by the
// random distance between the publisher's and the subscriber's timestamps: hours, typically.
const TOLERANCE_S = 1;

let server;

before(async () => {
    server = await startServer({ PRISM_GENERAL_WORKERS: '2' });
});

after(async () => {
    await server?.stop();
});

// Seconds since 1970 of a 32.32 NTP timestamp (a JSON number: precise to a microsecond or so).
function ntpToUnix(ntp) {
    return ntp / 2 ** 32 - NTP_UNIX_OFFSET_S;
}

// The clock rate of a stream from its packets: ticks per second between the first and last.
function clockRate(packets) {
    const first = packets[0];
    const last = packets[packets.length - 1];
    const ticks = (last.ts - first.ts + 2 ** 32) % 2 ** 32;
    const rate = ticks / (last.at - first.at);
    return rate > 20000 && rate < 70000 ? 48000 : 90000;
}

// The RTP timestamp the subscriber's packets carried at time `at` (s), extrapolated from the
// last packet received before it.
function timestampAt(packets, rate, at) {
    const before = packets.filter((p) => p.at <= at);
    const last = before.length ? before[before.length - 1] : packets[0];
    return (last.ts + Math.round((at - last.at) * rate) + 2 ** 32) % 2 ** 32;
}

test('subscribers get sender reports with the publisher\'s clock, in their own timestamps',
    async () => {
        const result = await runPythonPeer('aiortc_lipsync.py', server.base, '--room',
            String(newRoomId()), '--shift', String(SHIFT_S), '--subscribers', '2',
            '--spread-subscribers', '1');
        // In single-port mode a worker's candidate port is media.udp_port + its index.
        if (process.env.PRISM_TEST_ICE_MODE === 'lite') {
            const ports = result.offers.map((sdp) => sdp.match(/ udp \d+ \S+ (\d+) typ host/)?.[1]);
            assert.notEqual(ports[0], ports[1], `both subscribers on one worker: ${ports}`);
        }
        assert.ok(result.audio > 0 && Object.keys(result.video).length > 0,
            `the subscriber decoded audio ${result.audio}, video ${JSON.stringify(result.video)}`);
        const bySsrc = new Map();
        for (const packet of result.packets) {
            if (!bySsrc.has(packet.ssrc)) bySsrc.set(packet.ssrc, []);
            bySsrc.get(packet.ssrc).push(packet);
        }
        assert.equal(bySsrc.size, 4, `streams received: ${[...bySsrc.keys()]}`);
        const rates = [];
        for (const [ssrc, packets] of bySsrc) {
            const rate = clockRate(packets);
            rates.push(rate);
            // Until the publisher's first report reached the server (and its stream had sent a
            // packet), the server reports its own clock; from then on, the publisher's.
            const all = result.reports.filter((r) => r.ssrc === ssrc);
            const first = all.findIndex((r) => Math.abs(ntpToUnix(r.ntp) - r.at - SHIFT_S) < 2);
            assert.ok(first >= 0, `SSRC ${ssrc}: no sender report with the publisher's clock ` +
                `(${SHIFT_S} s ahead); seconds ahead: ` +
                `${all.map((r) => (ntpToUnix(r.ntp) - r.at).toFixed(3)).join(', ')}`);
            const reports = all.slice(first);
            assert.ok(reports.length >= 2, `${reports.length} sender reports for SSRC ${ssrc}`);
            for (const report of reports) {
                // The publisher's time, SHIFT_S ahead of the machine's, in every later report.
                const ahead = ntpToUnix(report.ntp) - report.at;
                assert.ok(Math.abs(ahead - SHIFT_S) < 2, `SSRC ${ssrc}: the report's NTP time ` +
                    `is ${ahead.toFixed(3)} s from this machine's, not the publisher's ` +
                    `${SHIFT_S} s`);
                // Its RTP timestamp is what the packets carried at that (publisher) time.
                const expected = timestampAt(packets, rate, ntpToUnix(report.ntp) - SHIFT_S);
                const off = (report.rtp - expected + 2 ** 31 + 2 ** 32) % 2 ** 32 - 2 ** 31;
                assert.ok(Math.abs(off) < TOLERANCE_S * rate, `SSRC ${ssrc} (${rate} Hz): the ` +
                    `report's RTP timestamp is ${(off / rate * 1000).toFixed(1)} ms away from ` +
                    'the packets\' at its NTP time');
            }
        }
        assert.deepEqual(rates.sort((a, b) => a - b), [48000, 48000, 90000, 90000]);
    });

// Lip sync under jitter: the publisher reaches the server through a relay that delays each
// datagram by 0-20 ms (peers/udp_jitter_relay.py; netem does not work in this kernel), its sender
// reports map RTP timestamps to capture time and its video leaves VIDEO_LEAD_MS after capture, as
// a camera pipeline's does. At the subscriber, each stream's sender report maps its RTP
// timestamps to the publisher's clock; the error of that mapping is the mapped time minus the
// true capture time of the packets (each packet's capture time is known by its payload). The
// audio/video offset is the audio stream's error minus the video stream's, with each stream's
// latest report: what the subscriber's playout would put between a sound and the picture taken
// with it. Forwarded reports keep the publisher's mapping, so the offset stays near 0 whatever the
// jitter; reports made from the server's clock at send time map each stream's timestamps to when
// its packets reached the server, which puts the video VIDEO_LEAD_MS (give or take the 20 ms of
// jitter) behind the audio.
const JITTER_MS = 20;
const VIDEO_LEAD_MS = 80;
const MAX_OFFSET_MS = 40;

// The difference a - b of two RTP timestamps, in ticks, across the 32-bit wrap.
function ticksBetween(a, b) {
    return (a - b + 2 ** 31 + 2 ** 32) % 2 ** 32 - 2 ** 31;
}

test('the audio/video offset at a subscriber stays under 40 ms with 20 ms of jitter on the ' +
    'publisher\'s path', async () => {
    const result = await runPythonPeer('aiortc_lipsync.py', server.base, '--room',
        String(newRoomId()), '--shift', '0', '--jitter-ms', String(JITTER_MS),
        '--video-lead-ms', String(VIDEO_LEAD_MS), '--reports', '4');
    assert.ok(result.audio > 0 && Object.keys(result.video).length > 0,
        `the subscriber decoded audio ${result.audio}, video ${JSON.stringify(result.video)}`);
    const kindOf = new Map(result.packets.map((p) => [p.ssrc, p.kind]));
    assert.deepEqual([...kindOf.values()].sort(), ['audio', 'video']);
    const rates = { audio: 48000, video: 90000 };
    // The jitter was there: the audio packets' delay since capture spreads over 10 ms or more.
    const audioDelays = result.packets.filter((p) => p.kind === 'audio' && p.capture)
        .map((p) => p.at - p.capture);
    assert.ok(audioDelays.length > 50, `${audioDelays.length} audio packets matched`);
    const spreadMs = (Math.max(...audioDelays) - Math.min(...audioDelays)) * 1000;
    assert.ok(spreadMs >= JITTER_MS / 2, `audio delay spread ${spreadMs.toFixed(1)} ms`);

    // From the time the publisher's second report of each kind went out, its first has reached
    // the server: every report from then on must carry the publisher's mapping.
    const pub = result.publisher_reports;
    const start = Math.max(pub.audio[1], pub.video[1]);
    const reports = result.reports.filter((r) => r.at > start && kindOf.has(r.ssrc))
        .sort((a, b) => a.at - b.at);
    const latest = {};
    const offsets = [];
    const errors = { audio: [], video: [] };
    for (const report of reports) {
        const kind = kindOf.get(report.ssrc);
        // A packet of this stream whose capture time is known, the last one before the report.
        const known = result.packets.filter((p) => p.ssrc === report.ssrc && p.capture &&
            p.at <= report.at);
        assert.ok(known.length, `no packet of SSRC ${report.ssrc} before its report`);
        const packet = known[known.length - 1];
        const capture = packet.capture + ticksBetween(report.rtp, packet.ts) / rates[kind];
        latest[kind] = ntpToUnix(report.ntp) - capture;
        errors[kind].push(latest[kind] * 1000);
        if ('audio' in latest && 'video' in latest) {
            offsets.push((latest.audio - latest.video) * 1000);
        }
    }
    const range = (list) => `${Math.min(...list).toFixed(1)}..${Math.max(...list).toFixed(1)} ms`;
    process.stdout.write(`# ${offsets.length} offsets ${range(offsets)}; mapping error audio ` +
        `${range(errors.audio)}, video ${range(errors.video)}; audio delay spread ` +
        `${spreadMs.toFixed(1)} ms\n`);
    assert.ok(offsets.length >= 4, `${offsets.length} offsets measured`);
    for (const offset of offsets) {
        assert.ok(Math.abs(offset) < MAX_OFFSET_MS, `audio/video offset ${offset.toFixed(1)} ms ` +
            `(all: ${offsets.map((o) => o.toFixed(1)).join(', ')})`);
    }
});
