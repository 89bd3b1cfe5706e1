// A fourth, independent WebRTC stack: GStreamer's webrtcbin (Debian's GStreamer 1.22, ICE by
// libnice 0.1.21) in a Python child process (peers/gst_echo.py) talks to the server over the
// HTTP API with long-polls. It offers a VP8 test pattern and an Opus tone from one webrtcbin with
// bundle-policy max-bundle, trickles its candidates, and counts what vp8dec and opusdec decode
// from the echo. webrtcbin's offer differs from the other peers': max-bundle puts port 0 and
// a=bundle-only on every m-line but the first, candidates come only by trickle (none in the
// SDP), one payload type per m-line, upper-case "OPUS", no header extensions. libnice is the
// full ICE agent and the controlling side, with regular nomination, so in the lite run
// (integration-lite/echo_gstreamer) it alone checks and nominates.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runPythonPeer } from './lib/python_peer.js';
import { startServer, testIceMode } from './lib/server.js';

const FRAMES = 30;
const SIZE = '320x240';

let server;

before(async () => {
    server = await startServer();
});

after(async () => {
    await server?.stop();
});

// Runs the gst_echo.py peer against the server and resolves with the JSON it prints.
function runGstreamer(...args) {
    return runPythonPeer('gst_echo.py', server.base, ...args);
}

test('webrtcbin over HTTP, VP8 and Opus with max-bundle: echoed frames decoded', async () => {
    const result = await runGstreamer('--frames', String(FRAMES));
    const { session, handle } = result;
    const offer = result.offer_sdp;
    assert.match(offer, /^a=group:BUNDLE video0 audio1\r?$/m);
    // max-bundle: the audio m-line rides on the video transport
    assert.match(offer, /^m=audio 0 /m);
    assert.match(offer, /^a=bundle-only\r?$/m);
    assert.doesNotMatch(offer, /^a=candidate:/m);
    assert.match(offer, /^a=rtpmap:96 VP8\/90000\r?$/m);
    assert.match(offer, /^a=rtpmap:111 OPUS\/48000\/2\r?$/m);

    assert.equal(result.message_reply.janus, 'ack', JSON.stringify(result.message_reply));
    const answer = result.answer_event;
    assert.ok(answer, 'no answer to the offer');
    assert.deepEqual(answer.plugindata, { plugin: 'janus.plugin.echotest',
        data: { echotest: 'event', result: 'ok' } });
    assert.equal(answer.jsep.type, 'answer');
    assert.equal(result.answer_error, null,
        `webrtcbin refused the answer: ${result.answer_error}\n${answer.jsep.sdp}`);
    assert.match(answer.jsep.sdp, /^a=group:BUNDLE video0 audio1\r?$/m);
    assert.match(answer.jsep.sdp, /^a=candidate:.* 127\.0\.0\.1 /m);
    if (testIceMode === 'lite') assert.match(answer.jsep.sdp, /^a=ice-lite\r?$/m);

    // Every candidate webrtcbin trickled was on loopback and taken, and gathering completed.
    const trickles = result.trickles_sent;
    const candidates = trickles.filter((t) => t.candidate.candidate);
    assert.ok(candidates.length > 0, 'webrtcbin trickled no candidate');
    for (const t of candidates) {
        assert.match(t.candidate.candidate, / 127\.0\.0\.1 \d+ typ host/, t.candidate.candidate);
        assert.equal(t.reply, 'ack', JSON.stringify(t));
    }
    assert.ok(trickles.some((t) => t.candidate.completed === true && t.reply === 'ack'),
        `no end of candidates: ${JSON.stringify(trickles)}`);

    assert.equal(result.pipeline_error, undefined, result.pipeline_error);
    assert.equal(result.controlling, true, 'libnice was not the controlling agent');
    assert.ok(['connected', 'completed'].includes(result.ice_state), result.ice_state);
    assert.equal(result.connection_state, 'connected');

    const events = result.events;
    const shaped = (janus) => events.filter((e) => e.janus === janus);
    assert.deepEqual(shaped('webrtcup'),
        [{ janus: 'webrtcup', session_id: session, sender: handle }]);
    for (const type of ['audio', 'video']) {
        assert.ok(shaped('media').some((e) => e.type === type && e.receiving === true &&
            e.sender === handle), `no media event for ${type}: ${JSON.stringify(shaped('media'))}`);
    }
    assert.ok((result.video[SIZE] ?? 0) >= FRAMES,
        `vp8dec decoded ${JSON.stringify(result.video)} echoed frames, wanted ${FRAMES} of ${SIZE}`);
    assert.ok(result.audio >= FRAMES, `opusdec decoded ${result.audio} echoed audio buffers`);
    // opusenc sends 20 ms frames: opusdec must give about 960 samples (48 kHz) per buffer.
    const perBuffer = result.audio_samples / result.audio;
    assert.ok(perBuffer > 900 && perBuffer < 1000,
        `${result.audio_samples} samples in ${result.audio} audio buffers`);

    assert.equal(result.hangup_reply.janus, 'success', JSON.stringify(result.hangup_reply));
    const hangups = shaped('hangup');
    assert.equal(hangups.length, 1, JSON.stringify(hangups));
    assert.equal(hangups[0].sender, handle);
    assert.equal(result.destroy_reply.janus, 'success', JSON.stringify(result.destroy_reply));
});
