// A libwebrtc echo call in a process of its own, so a test can kill it mid-call: it connects to
// the WebSocket URL given as argument, sets up an echo call, prints one JSON line
// {session, handle, frames} once echoed video is decoded, and then waits to be killed.
import { rawNegotiate } from '../lib/echo.js';
import { EchoPeer } from '../lib/peer.js';
import { JanusWs } from '../lib/ws.js';

const client = await JanusWs.connect(process.argv[2]);
const session = await client.create();
const handle = await client.attach(session);
const peer = new EchoPeer({ dataChannel: false });
await rawNegotiate(client, session, handle, peer);
await peer.waitConnected();
await peer.waitFrames(20);
process.stdout.write(`${JSON.stringify({ session, handle, frames: peer.framesOfSize() })}\n`);
// Keep the session alive and the media flowing until the test kills us.
const keepalive = { janus: 'keepalive', session_id: session, transaction: 'ka' };
setInterval(() => client.send(keepalive), 5000);
