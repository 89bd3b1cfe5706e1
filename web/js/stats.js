// Turns successive getStats() reports of a PeerConnection into what a person reads: bitrates
// each way, packet loss, round-trip time, and the received video's size, frame rate and
// decoded frames.

// How much a cumulative counter grew per second between two samples of one stats object.
function perSecond(current, previous, field) {
    if (!previous || current[field] === undefined || previous[field] === undefined) return null;
    const seconds = (current.timestamp - previous.timestamp) / 1000;
    return seconds > 0 ? (current[field] - previous[field]) / seconds : null;
}

function grew(current, previous, field) {
    return Math.max(0, (current[field] ?? 0) - (previous?.[field] ?? 0));
}

export class StatsSampler {
    constructor() {
        this.previous = new Map(); // stats id -> that object's previous sample
    }

    // Reads one report; returns {sendKbps, receiveKbps, lossPercent, rttMs, width, height,
    // fps, framesDecoded}, null where not known yet.
    sample(report) {
        const out = { sendKbps: null, receiveKbps: null, lossPercent: null, rttMs: null };
        Object.assign(out, { width: null, height: null, fps: null, framesDecoded: null });
        let lost = 0;
        let received = 0;
        for (const stats of report.values()) {
            const previous = this.previous.get(stats.id);
            this.previous.set(stats.id, stats);
            if (stats.type === 'outbound-rtp') {
                const bytes = perSecond(stats, previous, 'bytesSent');
                if (bytes !== null) out.sendKbps = (out.sendKbps ?? 0) + (bytes * 8) / 1000;
            } else if (stats.type === 'inbound-rtp') {
                const bytes = perSecond(stats, previous, 'bytesReceived');
                if (bytes !== null) out.receiveKbps = (out.receiveKbps ?? 0) + (bytes * 8) / 1000;
                if (previous) {
                    lost += grew(stats, previous, 'packetsLost');
                    received += grew(stats, previous, 'packetsReceived');
                }
                if (stats.kind === 'video') readVideo(out, stats);
            } else if (stats.type === 'candidate-pair' && stats.nominated) {
                if (stats.state === 'succeeded' && stats.currentRoundTripTime !== undefined) {
                    out.rttMs = stats.currentRoundTripTime * 1000;
                }
            } else if (stats.type === 'remote-inbound-rtp' && out.rttMs === null) {
                if (stats.roundTripTime !== undefined) out.rttMs = stats.roundTripTime * 1000;
            }
        }
        if (lost + received > 0) out.lossPercent = (100 * lost) / (lost + received);
        else if (out.receiveKbps !== null) out.lossPercent = 0;
        return out;
    }
}

function readVideo(out, stats) {
    out.width = stats.frameWidth ?? out.width;
    out.height = stats.frameHeight ?? out.height;
    out.fps = stats.framesPerSecond ?? out.fps;
    out.framesDecoded = (out.framesDecoded ?? 0) + (stats.framesDecoded ?? 0);
}

// "1.25 Mbit/s", "640 kbit/s", or "—" while unknown.
export function formatKbps(kbps) {
    if (kbps === null) return '—';
    return kbps >= 1000 ? `${(kbps / 1000).toFixed(2)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

// `value` with `digits` decimals and a unit, or "—" while unknown.
export function formatNumber(value, digits = 0, unit = '') {
    return value === null || value === undefined ? '—' : `${value.toFixed(digits)}${unit}`;
}
