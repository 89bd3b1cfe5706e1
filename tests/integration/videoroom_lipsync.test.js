// Lip sync: the sender reports a VideoRoom subscriber gets carry the publisher's clock, so that
// it plays the publisher's audio and video as they were captured, whatever the forwarding
// jitter. An aiortc publisher (peers/aiortc_lipsync.py) whose clock runs 1000 s ahead of this
// machine's publishes a tone and a test pattern; an aiortc subscriber records the sender reports
// and RTP timestamps it receives. Each report must show the publisher's time (not the server's),
// and its RTP timestamp must be the one the subscriber's packets carried at that time (the
// publisher's timestamp translated into the subscriber's), for audio and for video. The server
// has two workers and the room spreads its second subscriber to the other one, so the clock also
// crosses workers (media/relay).
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
