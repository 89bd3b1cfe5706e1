// Drives an EchoPeer through janode's echotest handle: offer (with candidates in the SDP, or
// trickled as janus.js does), answer, and a record of the handle's Janus events (webrtcup, media,
// hangup, trickle) so tests can check them. Candidates the server trickles are applied.
import assert from 'node:assert/strict';
import Janode from 'janode';
import EchoTestPlugin from 'janode/plugins/echotest';
import { waitUntil } from './peer.js';

const ECHOTEST_ID = EchoTestPlugin.id;

// Janus's echotest prefixes text it echoes on a data channel; binary comes back as sent.
export const JANUS_TEXT_ECHO_PREFIX = 'Janus EchoTest here! You wrote: ';

export async function connectJanode(server) {
    Janode.Logger.setLevel(process.env.JANODE_LOG_LEVEL || 'warning');
    return Janode.connect({ address: { url: server.wsUrl }, retry_time_secs: 1, max_retries: 1 });
}

// Attaches the echotest in `session` and records what janode reports about the handle.
export async function attachEcho(session) {
    const handle = await session.attach(EchoTestPlugin);
    const events = { webrtcup: 0, media: [], hangup: [], trickle: [], results: [], slowlink: [] };
    handle.on(Janode.EVENT.HANDLE_WEBRTCUP, () => events.webrtcup++);
    handle.on(Janode.EVENT.HANDLE_MEDIA, (data) => events.media.push(data));
    handle.on(Janode.EVENT.HANDLE_HANGUP, (data) => events.hangup.push(data));
    handle.on(Janode.EVENT.HANDLE_SLOWLINK, (data) => events.slowlink.push(data));
    handle.on(EchoTestPlugin.EVENT.ECHOTEST_RESULT, (data) => events.results.push(data));
    handle.on(Janode.EVENT.HANDLE_TRICKLE, (data) => events.trickle.push(data));
    return { handle, events };
}

// Applies the server's trickled candidates to `peer` once it has a remote description.
function applyServerTrickles(peer, events) {
    let applied = 0;
    const timer = setInterval(() => {
        if (!peer.pc.remoteDescription) return;
        for (; applied < events.trickle.length; applied++) {
            const { completed, candidate, sdpMid, sdpMLineIndex } = events.trickle[applied];
            if (completed || peer.pc.signalingState === 'closed') continue;
            peer.pc.addIceCandidate({ candidate, sdpMid, sdpMLineIndex }).catch(() => {});
        }
    }, 20);
    peer.timers.push(timer);
}

// Offers `peer` to the echotest and applies the answer. With `trickle`, the offer carries no
// candidate and each one follows in a "trickle" request, then {"completed": true}, sent while
// the offer is in flight (as janus.js does); otherwise the offer waits for gathering to end and
// carries every candidate. Resolves with {offer, answer, trickled} once the answer is applied.
export async function negotiate(handle, events, peer, { trickle = false, iceRestart = false,
    body = { audio: true, video: true } } = {}) {
    if (!peer.trickleApplier) {
        applyServerTrickles(peer, events);
        peer.trickleApplier = true;
    }
    let offer;
    let trickling = Promise.resolve([]);
    if (trickle) {
        const first = peer.candidates.length;
        offer = await peer.offer({ iceRestart });
        assert.doesNotMatch(offer.sdp, /^a=candidate/m, 'a trickle offer must carry no candidate');
        trickling = (async () => {
            const sent = [];
            for (let i = first; ; i++) {
                const candidate = await peer.candidateAt(i);
                if (!candidate) break;
                await handle.trickle(candidate);
                sent.push(candidate);
            }
            await handle.trickleComplete();
            return sent;
        })();
    } else {
        offer = await peer.completeOffer({ iceRestart });
        assert.match(offer.sdp, /^a=candidate:.* 127\.0\.0\.1 /m,
            'the offer carries its candidates');
    }
    const result = await handle.start({ ...body, jsep: offer });
    assert.equal(result.result, 'ok');
    await peer.applyAnswer(result.jsep);
    const trickled = await trickling;
    return { offer, answer: result.jsep, trickled };
}

// Waits until the handle reported webrtcup and media for both kinds.
export async function waitMediaEvents(events, timeoutMs = 15000) {
    await waitUntil(() => events.webrtcup > 0, 'the webrtcup event', timeoutMs);
    for (const type of ['audio', 'video']) {
        await waitUntil(() => events.media.some((m) => m.type === type && m.receiving === true),
            () => `a media event for ${type} (got ${JSON.stringify(events.media)})`, timeoutMs);
    }
}

// Checks the echo of `sent` text: as sent, or with the prefix Janus's echotest adds.
export function assertTextEcho(reply, sent) {
    assert.equal(typeof reply, 'string', `text came back as ${typeof reply}`);
    assert.ok(reply === sent || reply === JANUS_TEXT_ECHO_PREFIX + sent,
        `unexpected text echo ${JSON.stringify(reply)} for ${JSON.stringify(sent)}`);
}

// Sends a short string, a short binary message and a 20000-byte one (over 16 KiB, so it needs
// SCTP fragmentation and a max-message-size above the old default) and checks each echo.
export async function checkDataChannelEcho(peer) {
    await peer.waitChannelOpen();
    const text = `hello prism ${Date.now()}`;
    assertTextEcho(await peer.echo(text), text);
    for (const size of [5, 20000]) {
        const bytes = new Uint8Array(size).map((_, i) => (i * 7 + size) & 0xff);
        const back = await peer.echo(bytes);
        assert.ok(back instanceof ArrayBuffer, `binary came back as ${typeof back}`);
        assert.equal(back.byteLength, size);
        assert.deepEqual(new Uint8Array(back), bytes, `the ${size}-byte echo differs`);
    }
}

// ice-ufrag of the first m-section of an SDP.
export function iceUfrag(sdp) {
    return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
}

// The same offer/answer over a raw JanusWs client (no janode), candidates in the offer. Returns
// {ack, event} of the message, the event carrying the answer.
export async function rawNegotiate(client, sessionId, handleId, peer,
    body = { audio: true, video: true }) {
    const offer = await peer.completeOffer();
    const tx = `offer-${Date.now()}`;
    const from = client.received.length;
    client.send({ janus: 'message', session_id: sessionId, handle_id: handleId, transaction: tx,
        body, jsep: offer });
    const options = { from, timeoutMs: 15000 };
    const ack = await client.waitFor((m) => m.transaction === tx && m.janus !== 'event', options);
    assert.equal(ack.janus, 'ack', `offer not acked: ${JSON.stringify(ack)}`);
    const event = await client.waitFor((m) => m.transaction === tx && m.janus === 'event', options);
    assert.deepEqual(event.plugindata,
        { plugin: ECHOTEST_ID, data: { echotest: 'event', result: 'ok' } });
    await peer.applyAnswer(event.jsep);
    return { ack, event };
}
