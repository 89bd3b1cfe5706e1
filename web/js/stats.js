// Turns successive getStats() reports of a PeerConnection into what a person reads: bitrates
// each way, packet loss, round-trip time, and the received video's size, frame rate and
// decoded frames.

// Differences between two samples of a cumulative counter, per second.
function ratePerSecond(current, previous, field) {
    if (!previous || current[field] === undefined || previous[field] === undefined) return null;
    const seconds = (current.timestamp - previous.timestamp) / 1000;
    return seconds > 0 ? (current[field] - previous[field]) / seconds : null;
}

export class StatsSampler {
    constructor() {
        this.previous = new Map(); // stats id -> the previous sample of that object
    }

    // Reads one report; returns {sendKbps, receiveKbps, lossPercent, rttMs, width, height,
    // fps, framesDecoded} (null where not known yet).
    sample(report) {
        const result = {
            sendKbps: null, receiveKbps: null, lossPercent: null, rttMs: null,
            width: null, height: null, fps: null, framesDecoded: null,
        };
        let sendBits = 0, receiveBits = 0, lost = 0, counted = 0, haveSend = false, haveReceive = false;
        for (const stats of report.values()) {
            const previous = this.previous.get(stats.id);
            if (stats.type === 'outbound-rtp') {
                const rate = ratePerSecond(stats, previous, 'bytesSent');
                if (rate !== null) { sendBits += rate * 8; haveSend = true; }
            } else if (stats.type === 'inbound-rtp') {
                const rate = ratePerSecond(stats, previous, 'bytesReceived');
                if (rate !== null) { receiveBits += rate * 8; haveReceive = true; }
                if (previous) {
                    lost += Math.max(0, (stats.packetsLost ?? 0) - (previous.packetsLost ?? 0));
                    counted += Math.max(0, (stats.packetsReceived ?? 0) - (previous.packetsReceived ?? 0));
                }
                if (stats.kind === 'video') {
                    result.width = stats.frameWidth ?? result.width;
                    result.height = stats.frameHeight ?? result.height;
                    result.fps = stats.framesPerSecond ?? result.fps;
                    result.framesDecoded = (result.framesDecoded ?? 0) + (stats.framesDecoded ?? 0);
                }
            } else if (stats.type === 'candidate-pair' && stats.nominated && stats.state === 'succeeded') {
                if (stats.currentRoundTripTime !== undefined) result.rttMs = stats.currentRoundTripTime * 1000;
            } else if (stats.type === 'remote-inbound-rtp' && result.rttMs === null) {
                if (stats.roundTripTime !== undefined) result.rttMs = stats.roundTripTime * 1000;
            }
            this.previous.set(stats.id, stats);
        }
        if (haveSend) result.sendKbps = sendBits / 1000;
        if (haveReceive) result.receiveKbps = receiveBits / 1000;
        if (lost + counted > 0) result.lossPercent = (100 * lost) / (lost + counted);
        else if (haveReceive) result.lossPercent = 0;
        return result;
    }
}

// Formats a sample field for display: "—" while unknown.
export function formatKbps(kbps) {
    if (kbps === null) return '—';
    return kbps >= 1000 ? `${(kbps / 1000).toFixed(2)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

export function formatNumber(value, digits = 0, unit = '') {
    return value === null || value === undefined ? '—' : `${value.toFixed(digits)}${unit}`;
}
