// Single-port ICE-lite (media.ice_mode "lite") against a libwebrtc peer: the answer says
// a=ice-lite and offers the worker's port; while the call runs, garbage datagrams and a STUN
// check signed with a wrong password sent to that port are dropped (the forged check gets a 401
// and takes nothing over) and the echo keeps flowing. Prism only: Janus has no such mode.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import { attachEcho, connectJanode, iceUfrag, negotiate } from './lib/echo.js';
import { EchoPeer } from './lib/peer.js';
import { againstJanus, freeUdpPorts, startServer } from './lib/server.js';

let server;
let connection;
let udpPort;

before(async () => {
    if (againstJanus) return;
    udpPort = await freeUdpPorts(1);
    server = await startServer({
        PRISM_GENERAL_WORKERS: '1',
        PRISM_MEDIA_ICE_MODE: 'lite',
        PRISM_MEDIA_UDP_PORT: String(udpPort),
    });
    connection = await connectJanode(server);
});

after(async () => {
    await connection?.close().catch(() => {});
    await server?.stop();
});

const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
});

function crc32(bytes) {
    let crc = 0xffffffff;
    for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
}

function attribute(type, value) {
    const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
    padded.writeUInt16BE(type, 0);
    padded.writeUInt16BE(value.length, 2);
    value.copy(padded, 4);
    return padded;
}

// A Binding request as a controlling full agent sends it (RFC 8445 section 7.1.2), with
// USE-CANDIDATE, MESSAGE-INTEGRITY keyed by `password` and FINGERPRINT (RFC 5389).
function bindingRequest(username, password) {
    const controlling = randomBytes(8);
    const priority = Buffer.alloc(4);
    priority.writeUInt32BE(0x6e7f1eff);
    let body = Buffer.concat([attribute(0x0006, Buffer.from(username)),
        attribute(0x0024, priority), attribute(0x802a, controlling), attribute(0x0025, Buffer.alloc(0))]);
    const header = Buffer.alloc(20);
    header.writeUInt16BE(0x0001, 0);
    header.writeUInt32BE(0x2112a442, 4);
    randomBytes(12).copy(header, 8);
    header.writeUInt16BE(body.length + 24, 2);
    const integrity = createHmac('sha1', password).update(Buffer.concat([header, body])).digest();
    body = Buffer.concat([body, attribute(0x0008, integrity)]);
    header.writeUInt16BE(body.length + 8, 2);
    const fingerprint = Buffer.alloc(4);
    fingerprint.writeUInt32BE((crc32(Buffer.concat([header, body])) ^ 0x5354554e) >>> 0);
    return Buffer.concat([header, body, attribute(0x8028, fingerprint)]);
}

test('the worker port drops garbage and forged checks while a call runs', { skip: againstJanus }, async () => {
    const session = await connection.create();
    const { handle, events } = await attachEcho(session);
    const peer = new EchoPeer();
    try {
        const { answer } = await negotiate(handle, events, peer, { trickle: false });
        assert.match(answer.sdp, /^a=ice-lite\r?$/m);
        assert.match(answer.sdp, new RegExp(`^a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 ${udpPort} typ host`, 'm'));
        await peer.waitConnected();
        await peer.waitFrames(20);

        const attacker = dgram.createSocket('udp4');
        await new Promise((resolve) => attacker.bind(0, '127.0.0.1', resolve));
        const replies = [];
        attacker.on('message', (message) => replies.push(message));
        const send = (bytes) => new Promise((resolve, reject) =>
            attacker.send(bytes, udpPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
        const forged = bindingRequest(`${iceUfrag(answer.sdp)}:evil`, 'notThePasswordAtAll0123');
        for (let i = 0; i < 20; i++) {
            await send(randomBytes(100 + i)); // garbage of every first-byte class
            await send(Buffer.concat([Buffer.from([0x80, 0x60]), randomBytes(200)])); // fake RTP
            await send(forged);
        }
        await peer.waitFrames(20, { from: peer.videoFrames.length }); // the echo kept flowing
        const unauthorized = replies.filter((r) => r.length >= 20 && r.readUInt16BE(0) === 0x0111);
        assert.ok(unauthorized.length > 0, 'a forged check is answered with an error response');
        assert.equal(replies.filter((r) => r.length >= 20 && r.readUInt16BE(0) === 0x0101).length, 0,
            'no forged check succeeds');
        assert.equal(events.hangup.length, 0);
        attacker.close();
    } finally {
        peer.close();
    }
    await handle.detach();
    await session.destroy();
});
