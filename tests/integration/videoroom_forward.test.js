// VideoRoom RTP forwarders (rtp_forward, stop_rtp_forward, listforwarders) with a libwebrtc
// publisher (janode + @roamhq/wrtc): the test binds UDP sockets on 127.0.0.1 and checks what
// arrives there: RTP with the requested SSRC and payload type carrying VP8 (keyframes
// included) and Opus, SRTP that authenticates and decrypts with the requested key (suite 80,
// checked here with node's crypto, RFC 3711), the flow ending on stop_rtp_forward and when the
// publisher leaves, listforwarders before and after, Janus's error codes, the recipient's RTCP
// (rtcp_port) and a data channel forwarded as datagrams. The server runs
// with an admin_key and lock_rtp_forward, so forwarding requests need the key.
import assert from 'node:assert/strict';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import { waitUntil } from './lib/peer.js';
import { startServer } from './lib/server.js';
import { connectJanode, newRoomId, Participant, VIDEOROOM } from './lib/videoroom.js';
import { JanusWs } from './lib/ws.js';

const ADMIN_KEY = 'forward-admin';
const SECRET = 'room-secret';

let server;
let client; // raw WebSocket client for the forwarding requests
let sessionId;
let handleId;
let connection; // janode, for the publishers
const participants = [];
const sockets = [];

before(async () => {
    server = await startServer({ PRISM_VIDEOROOM_ADMIN_KEY: ADMIN_KEY,
        PRISM_VIDEOROOM_LOCK_RTP_FORWARD: 'true' });
    client = await JanusWs.connect(server.wsUrl);
    sessionId = await client.create();
    handleId = await client.attach(sessionId, VIDEOROOM);
    connection = await connectJanode(server);
});

after(async () => {
    for (const participant of participants) participant.close();
    for (const socket of sockets) socket.close();
    await client?.close();
    await connection?.close().catch(() => {});
    await server?.stop();
});

// A synchronous VideoRoom request: resolves with the plugin data of the "success" reply.
async function request(body) {
    const reply = await client.request({ janus: 'message', session_id: sessionId,
        handle_id: handleId, body });
    assert.equal(reply.janus, 'success', `${body.request}: ${JSON.stringify(reply)}`);
    assert.equal(reply.plugindata?.plugin, VIDEOROOM);
    return reply.plugindata.data;
}

async function expectError(body, code, what) {
    const data = await request(body);
    assert.equal(data.videoroom, 'event', `${what}: ${JSON.stringify(data)}`);
    assert.equal(data.error_code, code, `${what}: ${JSON.stringify(data)}`);
    assert.equal(typeof data.error, 'string');
}

// A UDP socket on 127.0.0.1 that keeps every datagram.
async function receiver() {
    const socket = dgram.createSocket('udp4');
    socket.packets = [];
    socket.on('message', (message) => socket.packets.push(message));
    await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.port = socket.address().port;
    sockets.push(socket);
    return socket;
}

// The RTP header fields a test checks, and where the payload starts (RFC 3550 section 5.1).
function parseRtp(packet) {
    assert.ok(packet.length >= 12 && packet[0] >> 6 === 2, `not RTP: ${packet.toString('hex')}`);
    let offset = 12 + 4 * (packet[0] & 0x0f);
    if (packet[0] & 0x10) offset += 4 + 4 * packet.readUInt16BE(offset + 2);
    const padding = packet[0] & 0x20 ? packet[packet.length - 1] : 0;
    return { marker: Boolean(packet[1] & 0x80), pt: packet[1] & 0x7f,
        seq: packet.readUInt16BE(2), ssrc: packet.readUInt32BE(8), headerLength: offset,
        payload: packet.subarray(offset, packet.length - padding) };
}

// True for the first packet of a VP8 keyframe (RFC 7741 sections 4.2 and 4.3).
function isVp8KeyframeStart(payload) {
    if (payload.length < 2) return false;
    const [first] = payload;
    const start = Boolean(first & 0x10) && (first & 0x07) === 0;
    let offset = 1;
    if (first & 0x80) {
        const extension = payload[offset++];
        if (extension & 0x80) offset += payload[offset] & 0x80 ? 2 : 1;
        if (extension & 0x40) offset += 1;
        if (extension & 0x30) offset += 1;
    }
    return start && offset < payload.length && (payload[offset] & 0x01) === 0;
}

// RFC 3711 section 4.3.1: a session key from the master key and salt (kdr 0).
function deriveKey(masterKey, masterSalt, label, length) {
    const x = Buffer.alloc(16);
    masterSalt.copy(x, 0);
    x[7] ^= label;
    const blocks = Buffer.alloc(Math.ceil(length / 16) * 16);
    const cipher = createCipheriv('aes-128-ctr', masterKey, x);
    return Buffer.concat([cipher.update(blocks), cipher.final()]).subarray(0, length);
}

// Checks an AES_CM_128_HMAC_SHA1_80 packet's tag and decrypts it (rollover counter 0 or 1);
// returns the plain RTP packet, or null when the tag does not check out.
function srtpDecrypt(packet, crypto, seen) {
    const masterKey = crypto.subarray(0, 16);
    const masterSalt = crypto.subarray(16, 30);
    const authKey = deriveKey(masterKey, masterSalt, 1, 20);
    const body = packet.subarray(0, packet.length - 10);
    const tag = packet.subarray(packet.length - 10);
    for (const roc of [0, 1]) {
        const rocBytes = Buffer.alloc(4);
        rocBytes.writeUInt32BE(roc);
        const expected = createHmac('sha1', authKey).update(body).update(rocBytes).digest()
            .subarray(0, 10);
        if (!expected.equals(tag)) continue;
        seen.roc = roc;
        const { headerLength, seq, ssrc } = parseRtp(body);
        const iv = Buffer.alloc(16);
        deriveKey(masterKey, masterSalt, 2, 14).copy(iv, 0);
        const ssrcBytes = Buffer.alloc(4);
        ssrcBytes.writeUInt32BE(ssrc);
        for (let i = 0; i < 4; i++) iv[4 + i] ^= ssrcBytes[i];
        const index = Buffer.alloc(6);
        index.writeUIntBE(roc * 65536 + seq, 0, 6);
        for (let i = 0; i < 6; i++) iv[8 + i] ^= index[i];
        const decipher = createCipheriv('aes-128-ctr', deriveKey(masterKey, masterSalt, 0, 16), iv);
        const payload = Buffer.concat([decipher.update(body.subarray(headerLength)),
            decipher.final()]);
        return Buffer.concat([body.subarray(0, headerLength), payload]);
    }
    return null;
}

async function createRoom() {
    const room = newRoomId();
    const created = await request({ request: 'create', room, secret: SECRET,
        admin_key: ADMIN_KEY, publishers: 4 });
    assert.equal(created.videoroom, 'created', JSON.stringify(created));
    return room;
}

async function publisher(room, display, options = {}) {
    const participant = new Participant(await connection.create(), { room, display,
        width: 160, height: 112, ...options });
    participants.push(participant);
    await participant.join();
    const reply = await participant.publish();
    participant.streams = reply.streams ?? participant.configured.streams;
    await participant.peer.waitConnected();
    await participant.publisher.waitType('webrtcup', `webrtcup for ${display}`);
    const mid = (type) => participant.configured.streams.find((s) => s.type === type).mid;
    participant.mids = { audio: mid('audio'), video: mid('video'),
        data: participant.configured.streams.find((s) => s.type === 'data')?.mid };
    return participant;
}

function forwardBody(room, feed, streams, extra = {}) {
    return { request: 'rtp_forward', room, publisher_id: feed, host: '127.0.0.1', streams,
        secret: SECRET, admin_key: ADMIN_KEY, ...extra };
}

// Waits until `socket` got `count` more datagrams than it had at `from`.
async function waitPackets(socket, count, what, from = socket.packets.length) {
    await waitUntil(() => socket.packets.length >= from + count,
        () => `${count} packets on ${what} (got ${socket.packets.length - from})`, 15000);
}

test('forwarders send the publisher\'s RTP with the requested SSRC and payload type, and '
    + 'SRTP that decrypts with the requested key; stop and leaving end them', async () => {
    const room = await createRoom();
    const alice = await publisher(room, 'alice');
    const bob = await publisher(room, 'bob'); // its forwarder is the clock of the checks below
    const [audio, video, srtp, clock] = await Promise.all([receiver(), receiver(), receiver(),
        receiver()]);

    const plain = await request(forwardBody(room, alice.feed, [
        { mid: alice.mids.audio, port: audio.port, ssrc: 1111, pt: 100 },
        { mid: alice.mids.video, port: video.port, ssrc: 2222, pt: 101 },
        { mid: 'no-such-mid', port: 9 }, // skipped, as Janus skips it
    ]));
    assert.equal(plain.videoroom, 'rtp_forward', JSON.stringify(plain));
    assert.equal(plain.room, room);
    assert.equal(plain.publisher_id, alice.feed);
    assert.equal(plain.forwarders.length, 2, JSON.stringify(plain));
    const [audioForwarder, videoForwarder] = plain.forwarders;
    assert.deepEqual({ ...audioForwarder, stream_id: 0 }, { stream_id: 0, type: 'audio',
        mid: alice.mids.audio, host: '127.0.0.1', port: audio.port, ssrc: 1111, pt: 100,
        srtp: false });
    assert.equal(videoForwarder.type, 'video');
    assert.ok(videoForwarder.stream_id > 0 && videoForwarder.stream_id !== audioForwarder.stream_id);

    const crypto = randomBytes(30);
    const encrypted = await request(forwardBody(room, alice.feed,
        [{ mid: alice.mids.video, port: srtp.port, ssrc: 3333 }],
        { srtp_suite: 80, srtp_crypto: crypto.toString('base64') }));
    assert.equal(encrypted.forwarders.length, 1, JSON.stringify(encrypted));
    assert.equal(encrypted.forwarders[0].srtp, true);
    const clockForward = await request(forwardBody(room, bob.feed,
        [{ mid: bob.mids.audio, port: clock.port }]));
    assert.equal(clockForward.forwarders.length, 1);

    // Plain RTP: Opus and VP8 with the SSRC and payload type asked for, a keyframe among them.
    await waitPackets(audio, 25, 'the audio forwarder');
    for (const packet of audio.packets) {
        const rtp = parseRtp(packet);
        assert.equal(rtp.ssrc, 1111);
        assert.equal(rtp.pt, 100);
    }
    await waitUntil(() => video.packets.some((p) => isVp8KeyframeStart(parseRtp(p).payload)),
        () => `a VP8 keyframe on the video forwarder (${video.packets.length} packets)`, 15000);
    for (const packet of video.packets) {
        const rtp = parseRtp(packet);
        assert.equal(rtp.ssrc, 2222);
        assert.equal(rtp.pt, 101);
    }

    // SRTP: every packet authenticates with the key and decrypts to VP8 with a keyframe;
    // a wrong key fails.
    await waitUntil(() => srtp.packets.some((p) => {
        const clear = srtpDecrypt(p, crypto, {});
        return clear && isVp8KeyframeStart(parseRtp(clear).payload);
    }), () => `a VP8 keyframe on the SRTP forwarder (${srtp.packets.length} packets)`, 15000);
    for (const packet of srtp.packets) {
        const clear = srtpDecrypt(packet, crypto, {});
        assert.ok(clear, `SRTP packet does not authenticate: ${packet.toString('hex', 0, 16)}`);
        assert.equal(parseRtp(clear).ssrc, 3333);
    }
    const wrong = Buffer.from(crypto);
    wrong[0] ^= 0xff;
    assert.equal(srtpDecrypt(srtp.packets[0], wrong, {}), null);

    // listforwarders: alice's three forwarders and bob's one.
    const listed = await request({ request: 'listforwarders', room, secret: SECRET });
    assert.equal(listed.videoroom, 'forwarders', JSON.stringify(listed));
    assert.equal(listed.room, room);
    const byFeed = new Map(listed.publishers.map((p) => [p.publisher_id, p]));
    assert.equal(byFeed.get(alice.feed)?.display, 'alice');
    assert.deepEqual(byFeed.get(alice.feed).forwarders.map((f) => f.stream_id).sort(),
        [audioForwarder.stream_id, videoForwarder.stream_id, encrypted.forwarders[0].stream_id]
            .sort());
    assert.equal(byFeed.get(bob.feed)?.forwarders.length, 1);

    // stop_rtp_forward ends that flow only: once bob's forwarder has sent 25 more packets,
    // anything left in flight has arrived, and the next 25 bring no more video.
    const stopped = await request({ request: 'stop_rtp_forward', room, publisher_id: alice.feed,
        stream_id: videoForwarder.stream_id, secret: SECRET, admin_key: ADMIN_KEY });
    assert.deepEqual(stopped, { videoroom: 'stop_rtp_forward', room, publisher_id: alice.feed,
        stream_id: videoForwarder.stream_id });
    await waitPackets(clock, 25, 'the clock forwarder');
    const videoAfterStop = video.packets.length;
    const audioAfterStop = audio.packets.length;
    const srtpAfterStop = srtp.packets.length;
    await waitPackets(clock, 25, 'the clock forwarder');
    assert.equal(video.packets.length, videoAfterStop, 'video still forwarded after the stop');
    assert.ok(audio.packets.length > audioAfterStop, 'the audio forwarder stopped too');
    assert.ok(srtp.packets.length > srtpAfterStop, 'the SRTP forwarder stopped too');
    await expectError({ request: 'stop_rtp_forward', room, publisher_id: alice.feed,
        stream_id: videoForwarder.stream_id, secret: SECRET, admin_key: ADMIN_KEY }, 428,
    'stopping it twice');

    // The publisher leaves: its forwarders stop and are no longer listed; bob's go on.
    await alice.publisher.handle.leave();
    const listedAfter = await request({ request: 'listforwarders', room, secret: SECRET });
    assert.deepEqual(listedAfter.publishers.map((p) => p.publisher_id), [bob.feed]);
    await waitPackets(clock, 25, 'the clock forwarder');
    const audioAfterLeave = audio.packets.length;
    const srtpAfterLeave = srtp.packets.length;
    await waitPackets(clock, 25, 'the clock forwarder');
    assert.equal(audio.packets.length, audioAfterLeave, 'audio still forwarded after leaving');
    assert.equal(srtp.packets.length, srtpAfterLeave, 'SRTP still forwarded after leaving');
    await expectError({ request: 'stop_rtp_forward', room, publisher_id: alice.feed,
        stream_id: audioForwarder.stream_id, secret: SECRET, admin_key: ADMIN_KEY }, 428,
    'stopping a forwarder of a publisher that left');
});

test('forwarding requests are refused with Janus\'s error codes', async () => {
    const room = await createRoom();
    const carol = await publisher(room, 'carol');
    const streams = [{ mid: carol.mids.video, port: 9 }];
    const body = forwardBody(room, carol.feed, streams);
    const without = (name) => Object.fromEntries(Object.entries(body).filter(([k]) => k !== name));

    await expectError(without('admin_key'), 429, 'no admin_key (lock_rtp_forward)');
    await expectError({ ...body, admin_key: 'wrong' }, 433, 'a wrong admin_key');
    await expectError(without('secret'), 429, 'no room secret');
    await expectError({ ...body, secret: 'wrong' }, 433, 'a wrong room secret');
    await expectError({ ...body, room: newRoomId() }, 426, 'no such room');
    await expectError({ ...body, publisher_id: carol.feed + 1 }, 428, 'no such publisher');
    await expectError(without('host'), 429, 'no host');
    await expectError({ ...body, host: 'localhost' }, 430, 'a host name');
    await expectError({ ...body, streams: [{ mid: carol.mids.video, port: 0 }] }, 430, 'port 0');
    await expectError({ ...body, streams: [{ mid: carol.mids.video, port: 65536 }] }, 430,
        'port 65536');
    await expectError({ ...body, streams: [{ mid: carol.mids.video }] }, 429, 'no port');
    await expectError({ ...body, streams: [{ port: 9 }] }, 429, 'no mid');
    await expectError({ ...body, srtp_suite: 40, srtp_crypto: randomBytes(30).toString('base64') },
        430, 'SRTP suite 40');
    await expectError({ ...body, srtp_suite: 80, srtp_crypto: 'not-a-key' }, 430,
        'a bad SRTP key');
    await expectError({ ...body, srtp_suite: 80 }, 429, 'an SRTP suite without a key');
    await expectError({ request: 'listforwarders', room, secret: 'wrong' }, 433,
        'listforwarders with a wrong secret');
    await expectError({ request: 'stop_rtp_forward', room, publisher_id: carol.feed,
        stream_id: 12345, secret: SECRET, admin_key: ADMIN_KEY }, 428, 'no such forwarder');
    await expectError({ request: 'stop_rtp_forward', room, publisher_id: carol.feed,
        stream_id: 12345, secret: SECRET }, 429, 'stop without admin_key');
    const listed = await request({ request: 'listforwarders', room, secret: SECRET });
    assert.deepEqual(listed, { videoroom: 'forwarders', room, publishers: [] });
});

test('with rtcp_port, the recipient gets an RTCP hello and its PLI brings a keyframe',
    async () => {
        const room = await createRoom();
        const dave = await publisher(room, 'dave');
        const [media, rtcp] = await Promise.all([receiver(), receiver()]);
        const reply = await request(forwardBody(room, dave.feed,
            [{ mid: dave.mids.video, port: media.port, rtcp_port: rtcp.port, ssrc: 4444 }]));
        const [forwarder] = reply.forwarders;
        assert.equal(forwarder.remote_rtcp_port, rtcp.port, JSON.stringify(reply));
        assert.ok(forwarder.local_rtcp_port > 0, JSON.stringify(reply));
        await waitPackets(rtcp, 1, 'the RTCP hello', 0);
        assert.equal(rtcp.packets[0][1], 201, 'the hello is a receiver report');
        const keyframeAfter = (from) => media.packets.slice(from)
            .some((p) => isVp8KeyframeStart(parseRtp(p).payload));
        await waitUntil(() => keyframeAfter(0), 'the first keyframe', 15000);
        // RFC 4585 PLI from the recipient's RTCP socket to the forwarder's local RTCP port,
        // repeated as a real recipient does until its keyframe comes (a loaded publisher may
        // take a while, and a server or encoder may fold requests that come too close).
        const from = media.packets.length;
        const pli = Buffer.alloc(12);
        pli[0] = 0x81;
        pli[1] = 206;
        pli.writeUInt16BE(2, 2);
        pli.writeUInt32BE(1, 4);
        pli.writeUInt32BE(4444, 8);
        const sendPli = () => rtcp.send(pli, forwarder.local_rtcp_port, '127.0.0.1');
        sendPli();
        const repeat = setInterval(sendPli, 1000);
        try {
            await waitUntil(() => keyframeAfter(from),
                () => `a keyframe after the PLI (${media.packets.length - from} packets since)`,
                20000);
        } finally {
            clearInterval(repeat);
        }
    });

test('a data stream forwarder sends each data channel message as one datagram', async () => {
    const room = await createRoom();
    const erin = await publisher(room, 'erin', { data: true });
    assert.ok(erin.mids.data, `no data stream: ${JSON.stringify(erin.configured.streams)}`);
    const socket = await receiver();
    const reply = await request(forwardBody(room, erin.feed,
        [{ mid: erin.mids.data, port: socket.port }],
        { srtp_suite: 80, srtp_crypto: randomBytes(30).toString('base64') }));
    assert.deepEqual({ ...reply.forwarders[0], stream_id: 0 }, { stream_id: 0, type: 'data',
        mid: erin.mids.data, host: '127.0.0.1', port: socket.port });
    await erin.peer.waitChannelOpen();
    for (const text of ['one', 'two', 'three']) erin.peer.channel.send(`forwarded ${text}`);
    await waitPackets(socket, 3, 'the data forwarder', 0);
    assert.deepEqual(socket.packets.map((p) => p.toString()),
        ['forwarded one', 'forwarded two', 'forwarded three']);
});
