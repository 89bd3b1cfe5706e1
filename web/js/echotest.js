// The echo test: a janus.js handle on janus.plugin.echotest sends an offer with the camera
// and microphone, the server answers and sends the same media back; the page shows the
// echoed video, lets the person cap the bitrate the server sends, and shows live statistics.
import { attach, connect, describeMediaError, expose, showError } from './janus-client.js';
import { StatsSampler, formatKbps, formatNumber } from './stats.js';

const $ = (id) => document.getElementById(id);
const localStream = new MediaStream();
const remoteStream = new MediaStream();

let janus = null;
let echo = null;
let statsTimer = null;

function setStatus(text) {
    $('status').textContent = text;
}

function setRunning(running) {
    $('start').disabled = running;
    $('stop').disabled = !running;
    $('bitrate').disabled = !running;
}

// Adds or removes a track of `stream`, shown in `video`; the placeholder covers a video
// element without video.
function updateStream(stream, video, placeholder, track, on) {
    if (on && !stream.getTrackById(track.id)) stream.addTrack(track);
    if (!on) stream.removeTrack(track);
    if (video.srcObject !== stream) video.srcObject = stream;
    $(placeholder).hidden = stream.getVideoTracks().length > 0;
}

function onmessage(message, jsep) {
    if (jsep) {
        echo.handleRemoteJsep({
            jsep,
            error: (cause) => fail(`Cannot use the server's answer: ${cause}`),
        });
    }
    if (message.error) {
        fail(`The echo test refused the request (${message.error_code}): ${message.error}`);
    } else if (message.result === 'done') {
        stop('The server ended the echo test.');
    }
}

function webrtcState(on, reason) {
    if (on) setStatus('Connected: your media is going through the server and back.');
    else if (echo) stop(`The media connection closed${reason ? ` (${reason})` : ''}.`);
}

function iceState(state) {
    if (state === 'failed') fail("No network path to the server's media ports (ICE failed).");
    else if (state === 'disconnected') setStatus('The media connection is interrupted…');
}

function slowLink(uplink, lost) {
    const direction = uplink ? 'sent' : 'received';
    setStatus(`The network is losing packets (${lost} ${direction}).`);
}

function showStats(sample) {
    $('stat-receive').textContent = formatKbps(sample.receiveKbps);
    $('stat-send').textContent = formatKbps(sample.sendKbps);
    $('stat-loss').textContent = formatNumber(sample.lossPercent, 1, ' %');
    const rttDigits = sample.rttMs !== null && sample.rttMs < 10 ? 1 : 0;
    $('stat-rtt').textContent = formatNumber(sample.rttMs, rttDigits, ' ms');
    const size = sample.width ? `${sample.width}×${sample.height}` : '—';
    $('stat-resolution').textContent = sample.fps
        ? `${size} at ${Math.round(sample.fps)} fps`
        : size;
    $('stat-frames').textContent = formatNumber(sample.framesDecoded);
}

function startStats() {
    const sampler = new StatsSampler();
    statsTimer = setInterval(async () => {
        const pc = echo?.webrtcStuff?.pc;
        if (pc) showStats(sampler.sample(await pc.getStats()));
    }, 1000);
}

function sendOffer() {
    setStatus('Asking for the camera and microphone…');
    echo.createOffer({
        tracks: [
            { type: 'audio', capture: true, recv: true },
            { type: 'video', capture: true, recv: true },
        ],
        success: (jsep) => {
            setStatus("Waiting for the server's answer…");
            const bitrate = Number($('bitrate').value);
            echo.send({ message: { audio: true, video: true, bitrate }, jsep });
        },
        error: (error) => fail(describeMediaError(error)),
    });
}

async function start() {
    showError('');
    setRunning(true);
    setStatus('Connecting to the server…');
    try {
        const session = await connect({
            onLost: (cause) => {
                if (janus !== session) return; // a session we stopped already
                fail(`Lost the connection to the server (${cause}). Is it still running?`);
            },
        });
        janus = session;
        echo = await attach(janus, 'janus.plugin.echotest', {
            onmessage,
            webrtcState,
            iceState,
            slowLink,
            onlocaltrack: (track, on) => {
                if (track.kind !== 'video') return;
                updateStream(localStream, $('local'), 'local-placeholder', track, on);
            },
            onremotetrack: (track, mid, on) => {
                updateStream(remoteStream, $('remote'), 'remote-placeholder', track, on);
            },
        });
        expose({ echo });
        startStats();
        sendOffer();
    } catch (error) {
        fail(error.message);
    }
}

// Ends the test, keeping `message` as the status; also the path of every failure.
function stop(message = 'Stopped.') {
    clearInterval(statsTimer);
    statsTimer = null;
    const session = janus;
    janus = null;
    echo = null;
    session?.destroy({ notifyDestroyed: false });
    for (const stream of [localStream, remoteStream]) {
        for (const track of stream.getTracks()) {
            track.stop();
            stream.removeTrack(track);
        }
    }
    $('local-placeholder').hidden = false;
    $('remote-placeholder').hidden = false;
    setRunning(false);
    setStatus(message);
}

function fail(text) {
    showError(text);
    stop('Stopped because of the error above.');
}

$('start').addEventListener('click', start);
$('stop').addEventListener('click', () => stop());
$('bitrate').addEventListener('change', () => {
    const bitrate = Number($('bitrate').value);
    echo?.send({ message: { bitrate } });
    setStatus(
        bitrate
            ? `Asked the server to send at most ${bitrate / 1000} kbit/s.`
            : 'No bitrate limit.',
    );
});
