// A plain RTCPeerConnection in a headless Chromium page (lib/browser.js), driven from the test:
// a publisher of the fake camera and microphone limited to one video codec, or a subscriber that
// answers the server's offers; the SDP goes through the test (janode), not the page. The page
// is a blank one served on 127.0.0.1, which is a secure context, so getUserMedia works.
import http from 'node:http';
import { waitFor } from './browser.js';

// A server of one blank page; close() it at the end.
export async function serveBlankPage() {
    const server = http.createServer((request, response) => {
        response.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
        response.end('<!doctype html><title>peer</title>');
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

// In the page: the PeerConnection's local description once ICE gathering is over.
const PAGE_HELPERS = `
window.gathered = async (pc) => {
    if (pc.iceGatheringState !== 'complete') {
        await new Promise((resolve) => pc.addEventListener('icegatheringstatechange', () => {
            if (pc.iceGatheringState === 'complete') resolve();
        }));
    }
    return pc.localDescription.sdp;
};`;

export class BrowserPeer {
    constructor(page) {
        this.page = page;
    }

    static async open(context, url) {
        const page = await context.newPage();
        await page.goto(url);
        await page.addScriptTag({ content: PAGE_HELPERS });
        return new BrowserPeer(page);
    }

    // Publishes the fake camera (width x height) and microphone; the video transceiver offers
    // only the codecs whose mimeType and sdpFmtpLine satisfy `mimeType` and `fmtpIncludes`, and
    // encodes with `scalabilityMode` when given (e.g. 'L1T3': three temporal layers).
    // Returns the offer with every candidate in it.
    async publishOffer({ mimeType, fmtpIncludes = '', width = 640, height = 480,
        scalabilityMode }) {
        return this.page.evaluate(async ({ mimeType, fmtpIncludes, width, height,
            scalabilityMode }) => {
            const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
            window.pc = pc;
            const stream = await navigator.mediaDevices.getUserMedia({ audio: true,
                video: { width, height } });
            pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly' });
            const video = pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly',
                ...(scalabilityMode ? { sendEncodings: [{ scalabilityMode }] } : {}) });
            const codecs = RTCRtpSender.getCapabilities('video').codecs.filter((c) =>
                c.mimeType === mimeType && (c.sdpFmtpLine ?? '').includes(fmtpIncludes));
            if (!codecs.length) throw new Error(`Chromium cannot send ${mimeType} ${fmtpIncludes}`);
            video.setCodecPreferences(codecs);
            await pc.setLocalDescription();
            return window.gathered(pc);
        }, { mimeType, fmtpIncludes, width, height, scalabilityMode });
    }

    async applyAnswer(sdp) {
        await this.page.evaluate((sdp) => window.pc.setRemoteDescription({ type: 'answer', sdp }),
            sdp);
    }

    // Applies the server's offer (a new PeerConnection the first time) and returns the answer
    // with every candidate in it.
    async answer(sdp) {
        return this.page.evaluate(async (sdp) => {
            if (!window.pc) {
                window.pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
                // Chromium decodes received audio only for a sink that plays it.
                window.pc.addEventListener('track', ({ track }) => {
                    if (track.kind !== 'audio') return;
                    const element = new Audio();
                    element.srcObject = new MediaStream([track]);
                    element.play().catch(() => {});
                });
            }
            await window.pc.setRemoteDescription({ type: 'offer', sdp });
            await window.pc.setLocalDescription();
            return window.gathered(window.pc);
        }, sdp);
    }

    // The video inbound-rtp entries with their codec: [{mid, framesDecoded, frameWidth,
    // frameHeight, mimeType, sdpFmtpLine}].
    async videoReceived() {
        return this.page.evaluate(async () => {
            const report = await window.pc.getStats();
            const entries = [...report.values()];
            return entries.filter((s) => s.type === 'inbound-rtp' && s.kind === 'video')
                .map((s) => {
                    const codec = report.get(s.codecId);
                    return { mid: s.mid, framesDecoded: s.framesDecoded ?? 0,
                        framesReceived: s.framesReceived ?? 0,
                        frameWidth: s.frameWidth, frameHeight: s.frameHeight,
                        mimeType: codec?.mimeType, sdpFmtpLine: codec?.sdpFmtpLine };
                });
        });
    }

    // The audio inbound-rtp entries with their codec: [{mid, packetsReceived,
    // totalSamplesReceived, totalAudioEnergy, audioLevel, mimeType, payloadType}].
    async audioReceived() {
        return this.page.evaluate(async () => {
            const report = await window.pc.getStats();
            return [...report.values()].filter((s) => s.type === 'inbound-rtp' &&
                s.kind === 'audio').map((s) => {
                const codec = report.get(s.codecId);
                return { mid: s.mid, packetsReceived: s.packetsReceived ?? 0,
                    totalSamplesReceived: s.totalSamplesReceived ?? 0,
                    totalAudioEnergy: s.totalAudioEnergy ?? 0, audioLevel: s.audioLevel ?? 0,
                    mimeType: codec?.mimeType, payloadType: codec?.payloadType };
            });
        });
    }

    // What the publisher sends: the video outbound-rtp's codec and frames encoded.
    async videoSent() {
        return this.page.evaluate(async () => {
            const report = await window.pc.getStats();
            const out = [...report.values()].find((s) => s.type === 'outbound-rtp' &&
                s.kind === 'video');
            const codec = out && report.get(out.codecId);
            return { framesEncoded: out?.framesEncoded ?? 0, framesSent: out?.framesSent ?? 0,
                scalabilityMode: out?.scalabilityMode, mimeType: codec?.mimeType,
                sdpFmtpLine: codec?.sdpFmtpLine, encoder: out?.encoderImplementation };
        });
    }

    // Waits until every video stream received decoded `frames` frames; returns their entries.
    async waitDecoded(frames, streams = 1, timeoutMs = 30000) {
        let last = [];
        try {
            return await waitFor(`${streams} video stream(s) with ${frames} decoded frames`,
                async () => {
                    last = await this.videoReceived();
                    const done = last.filter((s) => s.framesDecoded >= frames);
                    return done.length >= streams ? last : false;
                }, timeoutMs);
        } catch (error) {
            throw new Error(`${error.message}; received: ${JSON.stringify(last)}`);
        }
    }

    async close() {
        await this.page.evaluate(() => window.pc?.close()).catch(() => {});
        await this.page.close().catch(() => {});
    }
}
