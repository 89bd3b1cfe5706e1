// A second, independent WebRTC stack: aiortc (Debian's python3-aiortc) in a child process talks
// to the server over the HTTP API with long-polls, offers a tone, a test pattern and a data
// channel, and counts what it decodes from the echo. Its offer differs from libwebrtc's: legacy
// "DTLS/SCTP" data channel syntax, PCMU/PCMA and H.264 besides Opus and VP8, abs-send-time, no
// transport-cc, and one ICE transport per m-line under a BUNDLE group (aiortc 1.4 has no
// max-bundle policy). Also checks that an offer without BUNDLE is refused with 465.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runPythonPeer } from './lib/python_peer.js';
import { assertTextEcho } from './lib/echo.js';
import { againstJanus, startServer } from './lib/server.js';

const FRAMES = 30;

let server;

before(async () => {
    server = await startServer();
});

after(async () => {
    await server?.stop();
});

// Runs the aiortc_echo.py peer against the server and resolves with the JSON it prints.
function runAiortc(...args) {
    return runPythonPeer('aiortc_echo.py', server.base, ...args);
}

// What every aiortc call must show: an answer aiortc accepts, webrtcup and media events, echoed
// frames decoded at the size sent, echoed audio, and a hangup event after the hangup request.
function checkCall(result) {
    const { session, handle } = result;
    assert.equal(result.message_reply.janus, 'ack', JSON.stringify(result.message_reply));
    const answer = result.answer_event;
    assert.ok(answer, 'no answer to the offer');
    assert.deepEqual(answer.plugindata, { plugin: 'janus.plugin.echotest',
        data: { echotest: 'event', result: 'ok' } });
    assert.equal(answer.jsep.type, 'answer');
    assert.equal(result.answer_error, undefined,
        `aiortc refused the answer: ${result.answer_error}\n${answer.jsep.sdp}`);
    assert.match(answer.jsep.sdp, /^a=group:BUNDLE 0 1( 2)?\r?$/m);
    assert.match(answer.jsep.sdp, /^a=rtpmap:\d+ VP8\/90000\r?$/m);
    assert.match(answer.jsep.sdp, /^a=rtpmap:\d+ opus\/48000\/2\r?$/m);

    const events = result.events;
    const shaped = (janus) => events.filter((e) => e.janus === janus);
    assert.deepEqual(shaped('webrtcup'),
        [{ janus: 'webrtcup', session_id: session, sender: handle }]);
    for (const type of ['audio', 'video']) {
        assert.ok(shaped('media').some((e) => e.type === type && e.receiving === true &&
            e.sender === handle), `no media event for ${type}: ${JSON.stringify(shaped('media'))}`);
    }
    assert.ok((result.video['320x240'] ?? 0) >= FRAMES,
        `aiortc decoded ${JSON.stringify(result.video)} echoed frames, ` +
        `wanted ${FRAMES} of 320x240`);
    assert.ok(result.audio >= FRAMES, `aiortc decoded ${result.audio} echoed audio frames`);
    assert.equal(result.ice_state, 'completed');

    assert.equal(result.hangup_reply.janus, 'success', JSON.stringify(result.hangup_reply));
    const hangups = shaped('hangup');
    assert.equal(hangups.length, 1, JSON.stringify(hangups));
    assert.equal(hangups[0].sender, handle);
    assert.equal(typeof hangups[0].reason, 'string');
    assert.equal(result.destroy_reply.janus, 'success', JSON.stringify(result.destroy_reply));
}

test('aiortc over HTTP, audio and video: echoed frames decoded, events, hangup', async () => {
    checkCall(await runAiortc('--frames', String(FRAMES), '--no-datachannel'));
});

test('aiortc with its legacy DTLS/SCTP data channel: media and data echoed', async () => {
    const result = await runAiortc('--frames', String(FRAMES));
    checkCall(result);
    // aiortc 1.4 offers "m=application <port> DTLS/SCTP 5000" with a=sctpmap; Janus answers in
    // the same syntax. A rejected m-line (port 0) is no answer: the channel must open.
    assert.match(result.answer_event.jsep.sdp, /^m=application [1-9]\d* /m);
    assert.equal(result.datachannel_state, 'open');
    assertTextEcho(result.datachannel_text, 'hello from aiortc');
    assert.equal(result.datachannel_binary_length, 20000);
    assert.equal(result.datachannel_binary_ok, true, 'the 20000-byte echo differs');
});

test('an aiortc offer without BUNDLE is refused with 465 naming BUNDLE', async (t) => {
    if (againstJanus) {
        t.skip('Janus 1.1 accepts offers without BUNDLE and bundles them in its answer');
        return;
    }
    const result = await runAiortc('--no-bundle', '--timeout', '5');
    assert.doesNotMatch(result.offer_sdp, /BUNDLE/);
    const reply = result.message_reply;
    assert.equal(reply.janus, 'error', JSON.stringify(reply));
    assert.equal(reply.error.code, 465);
    assert.match(reply.error.reason, /bundle/i);
    assert.equal(result.answer_event, undefined);
});
