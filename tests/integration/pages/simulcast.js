// The client of simulcast.html, written as a janus.js application would be. A publisher
// publishes its camera with janus.js's `simulcast: true` (three rid layers h/m/l, each half the
// size of the one above). A subscriber receives one feed's video, asks for a substream when
// the test calls window.configure(n), and records the "substream" events. window.report()
// tells the test what the subscriber decodes (inbound-rtp statistics). With ?svc=L3T3_KEY the
// publisher sends VP9 SVC instead (janus.js's `svc` track option, one RTP stream with three
// spatial and three temporal layers), and window.configureSvc(spatial, temporal) asks for
// layers with "spatial_layer" / "temporal_layer", whose events are recorded.
// window.askStreams() fetches the server's stream list of the subscription.
/* global Janus */
'use strict';

const params = new URLSearchParams(location.search);
const server = params.get('server');
const room = Number(params.get('room'));
const role = params.get('role');
const feed = Number(params.get('feed'));
const svc = params.get('svc');
// ?spatial=n: the subscriber asks for VP9 SVC spatial layer n in its subscription already.
const spatial = params.has('spatial') ? { spatial_layer: Number(params.get('spatial')) } : {};

window.state = { errors: [], published: false, subscribed: false, substreams: [], temporals: [],
    spatialLayers: [], temporalLayers: [], feedId: null };
const state = window.state;
let janus = null;
let handle = null;

function fail(error) {
    const text = typeof error === 'string' ? error : (error?.message || JSON.stringify(error));
    state.errors.push(text);
    Janus.error(text);
}

// Loopback has room for all three layers, but the publisher's send-side estimate only grows
// with transport-wide feedback, which the server does not send yet: a floor on the estimate
// (Chrome's x-google-min-bitrate on the negotiated codec) lets the top layer start at once.
function withBitrateFloor(sdp) {
    const vp8 = (svc ? /a=rtpmap:(\d+) VP9\/90000/ : /a=rtpmap:(\d+) VP8\/90000/).exec(sdp);
    if (!vp8) return sdp;
    const extra = 'x-google-min-bitrate=1500;x-google-start-bitrate=2000';
    const fmtp = new RegExp(`a=fmtp:${vp8[1]} ([^\r\n]*)`);
    if (fmtp.test(sdp)) return sdp.replace(fmtp, `a=fmtp:${vp8[1]} $1;${extra}`);
    return sdp.replace(vp8[0], `${vp8[0]}\r\na=fmtp:${vp8[1]} ${extra}`);
}

// Keep the resolution when the (busy) machine's CPU runs short: the test reads the sizes.
async function keepResolution() {
    for (const sender of handle.webrtcStuff.pc.getSenders()) {
        if (sender.track?.kind !== 'video') continue;
        const parameters = sender.getParameters();
        parameters.degradationPreference = 'maintain-resolution';
        await sender.setParameters(parameters).catch(fail);
    }
}

function publish() {
    handle.createOffer({
        tracks: [{ type: 'video', ...(svc ? { svc } : { simulcast: true }), recv: false,
            capture: { width: { exact: 1280 }, height: { exact: 720 }, frameRate: { ideal: 15 } } }],
        success: (jsep) => handle.send({ message: { request: 'configure', audio: false,
            video: true }, jsep }),
        error: fail,
    });
}

function onPublisherMessage(msg, jsep) {
    if (msg.error) fail(msg.error);
    if (msg.videoroom === 'joined') {
        state.feedId = msg.id;
        publish();
    }
    if (jsep) handle.handleRemoteJsep({ jsep: { type: jsep.type, sdp: withBitrateFloor(jsep.sdp) } });
}

function onSubscriberMessage(msg, jsep) {
    if (msg.error) fail(msg.error);
    if (msg.substream !== undefined) state.substreams.push(msg.substream);
    if (msg.temporal !== undefined) state.temporals.push(msg.temporal);
    if (msg.spatial_layer !== undefined) state.spatialLayers.push(msg.spatial_layer);
    if (msg.temporal_layer !== undefined) state.temporalLayers.push(msg.temporal_layer);
    if (msg.switched !== undefined && msg.streams) state.streams = msg.streams;
    if (jsep) {
        handle.createAnswer({
            jsep,
            tracks: [{ type: 'data' }],
            success: (answer) => handle.send({ message: { request: 'start', room }, jsep: answer }),
            error: fail,
        });
    }
}

function showRemote(track, mid, on) {
    if (track.kind !== 'video' || !on) return;
    const video = document.createElement('video');
    video.autoplay = true;
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([track]);
    document.getElementById('remote').appendChild(video);
}

function attach() {
    const publisher = role === 'publisher';
    janus.attach({
        plugin: 'janus.plugin.videoroom',
        opaqueId: `simulcast-${role}`,
        success: (h) => {
            handle = h;
            const join = publisher ? { request: 'join', ptype: 'publisher', room, display: role }
                : { request: 'join', ptype: 'subscriber', room, streams: [{ feed, ...spatial }] };
            handle.send({ message: join });
        },
        error: fail,
        onmessage: publisher ? onPublisherMessage : onSubscriberMessage,
        webrtcState: (on) => {
            if (publisher) {
                state.published = on;
                if (on) keepResolution();
            } else {
                state.subscribed = on;
            }
        },
        onremotetrack: publisher ? undefined : showRemote,
    });
}

window.configure = (substream, temporal) => {
    const message = { request: 'configure', substream };
    if (temporal !== undefined) message.temporal = temporal;
    handle.send({ message });
};

// The server's view of the subscription: a "switch" of nothing answers with the stream list
// (with each stream's "simulcast" / "svc" object), kept in state.streams.
window.askStreams = () => {
    state.streams = null;
    handle.send({ message: { request: 'switch', streams: [] },
        success: (data) => { if (data?.streams) state.streams = data.streams; }, error: fail });
};

window.configureSvc = (spatial, temporal) => {
    const message = { request: 'configure', spatial_layer: spatial };
    if (temporal !== undefined) message.temporal_layer = temporal;
    handle.send({ message });
};

window.report = async () => {
    const report = { errors: state.errors, published: state.published,
        subscribed: state.subscribed, substreams: state.substreams, temporals: state.temporals,
        spatialLayers: state.spatialLayers, temporalLayers: state.temporalLayers,
        feedId: state.feedId, streams: state.streams, video: null, layers: [], serverPort: null,
        clientPort: null };
    const pc = handle?.webrtcStuff?.pc;
    if (!pc) return report;
    // Chrome then carries the VP8 temporal layer ids in this extension instead of the payload
    // descriptor: the server's temporal layer choice reads them there.
    report.dependencyDescriptor = /dependency-descriptor/.test(pc.remoteDescription?.sdp ?? '');
    // The server's host candidate port: in single-port mode it tells the worker (udp_port +
    // the worker's index).
    const candidate = / (\d+) typ host/.exec(pc.remoteDescription?.sdp || '');
    report.serverPort = candidate ? Number(candidate[1]) : null;
    const stats = await pc.getStats();
    // This page's end of the selected candidate pair: its port tells the server's packets to
    // this page from those to other pages on the same server port (single-port ICE).
    for (const entry of stats.values()) {
        if (entry.type !== 'transport' || !entry.selectedCandidatePairId) continue;
        const local = stats.get(stats.get(entry.selectedCandidatePairId)?.localCandidateId);
        report.clientPort = local?.port ?? null;
    }
    for (const entry of stats.values()) {
        if (entry.type === 'inbound-rtp' && entry.kind === 'video') {
            report.video = { width: entry.frameWidth || 0, height: entry.frameHeight || 0,
                framesDecoded: entry.framesDecoded || 0, keyFramesDecoded: entry.keyFramesDecoded,
                framesReceived: entry.framesReceived || 0,
                freezeCount: entry.freezeCount, pliCount: entry.pliCount,
                framesDropped: entry.framesDropped, packetsReceived: entry.packetsReceived,
                packetsLost: entry.packetsLost, nackCount: entry.nackCount };
        }
        if (entry.type === 'outbound-rtp' && entry.kind === 'video') {
            report.layers.push({ rid: entry.rid, width: entry.frameWidth || 0,
                framesEncoded: entry.framesEncoded || 0, framesSent: entry.framesSent || 0,
                limitation: entry.qualityLimitationReason, mode: entry.scalabilityMode });
        }
    }
    return report;
};

Janus.init({
    debug: false,
    callback: () => {
        janus = new Janus({ server, iceServers: [], success: attach, error: fail });
    },
});
