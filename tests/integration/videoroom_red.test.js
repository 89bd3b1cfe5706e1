// RED for audio (RFC 2198) in the VideoRoom, as Janus 1.x does it: Chromium offers
// red/48000/2 ("111/111") with Opus, the server accepts it (listed first, so that libwebrtc
// sends it), a Chromium subscriber whose answer keeps the RED the server offers receives the
// RED packets, and one whose offer had RED taken out (as a client without RED would answer)
// receives the primary Opus block of each packet as plain Opus. Both must play the audio. Then a
// subscriber whose payload types differ from the publisher's must get the RED block headers
// rewritten to its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from './lib/browser.js';
import { browserRoomRig } from './lib/browser_room.js';
import { newRoomId } from './lib/videoroom.js';

const rig = browserRoomRig();

// The audio m-line's codecs in order, as [{pt, name, fmtp}].
function audioCodecs(sdp) {
    const section = sdp.split(/\r?\nm=/).find((s) => s.startsWith('audio '));
    assert.ok(section, `no audio m-line in\n${sdp}`);
    const order = section.split(/\r?\n/)[0].split(' ').slice(3);
    return order.map((pt) => ({
        pt: Number(pt),
        name: new RegExp(`^a=rtpmap:${pt} ([^/\\s]+)`, 'm').exec(section)?.[1],
        fmtp: new RegExp(`^a=fmtp:${pt} (.*?)\\r?$`, 'm').exec(section)?.[1] ?? '',
    }));
}

// The SDP without the audio RED payload type (from the m-line, rtpmap, fmtp and rtcp-fb).
function withoutAudioRed(sdp) {
    const red = audioCodecs(sdp).find((c) => c.name === 'red');
    assert.ok(red, 'no RED to take out');
    return sdp.split('\r\n').filter((line) => !new RegExp(`^a=(rtpmap|fmtp|rtcp-fb):${red.pt} `)
        .test(line)).map((line) => (line.startsWith('m=audio ')
        ? line.split(' ').filter((f, i) => i < 3 || f !== String(red.pt)).join(' ') : line))
        .join('\r\n');
}

async function subscribe(room, feed, editOffer) {
    const peer = await rig.openPeer();
    const handle = await rig.attachHandle();
    const attached = await handle.handle.joinSubscriber({ room, streams: [{ feed }] });
    const offer = editOffer(attached.jsep.sdp);
    const answer = await peer.answer(offer);
    await handle.handle.start({ jsep: { type: 'answer', sdp: answer } });
    return { peer, offer: attached.jsep.sdp, answer };
}

// Waits until the subscriber's audio (on `mid`, or its only audio) has received `packets`
// packets with sound in them (the fake microphone beeps: its energy grows); returns the stats.
async function waitAudio(peer, packets, mid) {
    let last = [];
    try {
        return await waitFor(`${packets} audio packets with energy`, async () => {
            last = await peer.audioReceived();
            const stats = mid ? last.find((s) => s.mid === mid) : last.length === 1 && last[0];
            return stats && stats.packetsReceived >= packets && stats.totalAudioEnergy > 0
                ? stats : false;
        }, 30000);
    } catch (error) {
        throw new Error(`${error.message}; received: ${JSON.stringify(last)}`);
    }
}

// Chromium publishing in `room` with RED, its offer's Opus fmtp changed by `editOpus` on the way
// to the server (Chromium keeps its own); returns the feed and the audio codecs it offered.
async function redPublisher(room, editOpus = (fmtp) => fmtp) {
    const publisher = await rig.openPeer();
    const offer = await publisher.publishOffer({ mimeType: 'video/VP8' });
    const offered = audioCodecs(offer);
    const opus = offered.find((c) => c.name === 'opus');
    const red = offered.find((c) => c.name === 'red');
    assert.ok(red, `Chromium offers no audio RED:\n${offer}`);
    const sent = offer.replace(`a=fmtp:${opus.pt} ${opus.fmtp}\r\n`,
        `a=fmtp:${opus.pt} ${editOpus(opus.fmtp)}\r\n`);
    const handle = await rig.attachHandle();
    const joined = await handle.handle.joinPublisher({ room, display: 'chromium-red' });
    const reply = await handle.handle.publish({ audio: true, video: true,
        jsep: { type: 'offer', sdp: sent } });
    await publisher.applyAnswer(reply.jsep.sdp);
    return { feed: joined.feed, opus, red, answer: reply.jsep.sdp };
}

test('Chromium RED audio reaches a subscriber with RED as RED and one without as Opus',
    async () => {
        const room = newRoomId();
        await rig.admin.handle.create({ room, audiocodec: 'opus', videocodec: 'vp8' });
        const { feed, opus, red, answer } = await redPublisher(room);
        assert.equal(red.fmtp, `${opus.pt}/${opus.pt}`);
        // RED first, then the Opus it carries: what makes libwebrtc send RED.
        assert.deepEqual(audioCodecs(answer).map((c) => [c.pt, c.name, c.fmtp]),
            [[red.pt, 'red', red.fmtp], [opus.pt, 'opus', opus.fmtp]]);

        const withRed = await subscribe(room, feed, (sdp) => sdp);
        // Opus first (the stream's codec, for clients that read the first one), then RED over it.
        const serverOffer = audioCodecs(withRed.offer);
        assert.deepEqual(serverOffer.map((c) => c.name), ['opus', 'red'], withRed.offer);
        assert.equal(serverOffer[1].fmtp, `${serverOffer[0].pt}/${serverOffer[0].pt}`);
        assert.ok(audioCodecs(withRed.answer).some((c) => c.name === 'red'),
            `Chromium's answer dropped RED:\n${withRed.answer}`);
        const without = await subscribe(room, feed, withoutAudioRed);
        assert.ok(!audioCodecs(without.answer).some((c) => c.name === 'red'));

        // 100 packets: 2 s of 20 ms frames, over the fake microphone's beep (once a second).
        const redStats = await waitAudio(withRed.peer, 100);
        const plainStats = await waitAudio(without.peer, 100);
        assert.equal(plainStats.mimeType, 'audio/opus');
        assert.ok(redStats.totalSamplesReceived > 0 && plainStats.totalSamplesReceived > 0);
        process.stdout.write(`# RED subscriber ${JSON.stringify(redStats)}\n` +
            `# plain subscriber ${JSON.stringify(plainStats)}\n`);
    });

// Two publishers whose Opus differs in its fmtp but not its payload type (Chromium's 111): in the
// subscriber's BUNDLE group the second one's Opus and RED take other payload types, so the
// payload type inside each RED block header must be rewritten too, or the subscriber has no
// decoder for the blocks.
test('RED blocks carry the subscriber\'s payload type when it differs from the publisher\'s',
    async () => {
        const room = newRoomId();
        await rig.admin.handle.create({ room, audiocodec: 'opus', videocodec: 'vp8' });
        const stereo = await redPublisher(room, (fmtp) => `${fmtp};stereo=1`);
        const plain = await redPublisher(room);
        const peer = await rig.openPeer();
        const handle = await rig.attachHandle();
        const attached = await handle.handle.joinSubscriber({ room,
            streams: [{ feed: stereo.feed }, { feed: plain.feed }] });
        const offer = attached.jsep.sdp;
        const audio = attached.streams.filter((s) => s.type === 'audio');
        const second = audio.find((s) => s.feed_id === plain.feed);
        const section = offer.split(/\r?\nm=/).find((m) => new RegExp(`^a=mid:${second.mid}\\r?$`,
            'm').test(m));
        const codecs = audioCodecs(`v=0\r\nm=${section}`);
        const [opus, red] = codecs;
        assert.deepEqual(codecs.map((c) => c.name), ['opus', 'red'], offer);
        assert.notEqual(opus.pt, plain.opus.pt, `the second Opus kept ${opus.pt}:\n${offer}`);
        assert.equal(red.fmtp, `${opus.pt}/${opus.pt}`);
        const answer = await peer.answer(offer);
        await handle.handle.start({ jsep: { type: 'answer', sdp: answer } });
        const stats = await waitAudio(peer, 100, second.mid);
        assert.equal(stats.payloadType, opus.pt);
        process.stdout.write(`# second publisher's audio as ${opus.pt} (RED ${red.pt}): ` +
            `${JSON.stringify(stats)}\n`);
    });
