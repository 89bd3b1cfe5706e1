// The streaming page: lists the mountpoints of janus.plugin.streaming through janus.js, watches
// one (the server offers, janus.js answers with "start"), switches to another on the same
// PeerConnection, and shows live statistics. ?id=N preselects mountpoint N.
import { attach, connect, expose, request, showError } from './janus-client.js';
import { StatsSampler, formatKbps, formatNumber } from './stats.js';

const STREAMING = 'janus.plugin.streaming';
const $ = (id) => document.getElementById(id);
const wanted = new URLSearchParams(location.search).get('id');

let janus = null;
let streaming = null;
let watching = null; // the mountpoint shown, or null
let statsTimer = null;
let mountpoints = [];
const videoStream = new MediaStream();
const audioStream = new MediaStream();

function setStatus(text) {
    $('status').textContent = text;
}

function describe(mountpoint) {
    const kinds = (mountpoint.media || []).map((m) => m.type).join(' + ');
    return `${mountpoint.description || `Mountpoint ${mountpoint.id}`} (${kinds || 'no streams'})`;
}

function updateButtons() {
    const chosen = $('mountpoint').value;
    $('watch').disabled = !chosen || watching !== null;
    $('switch').disabled = !chosen || watching === null || String(watching) === chosen;
    $('stop').disabled = watching === null;
}

function showList(list) {
    mountpoints = list;
    const select = $('mountpoint');
    const previous = select.value || wanted;
    select.replaceChildren();
    if (!list.length) select.append(new Option('No mountpoints', ''));
    for (const mountpoint of list) {
        const option = new Option(describe(mountpoint), String(mountpoint.id));
        option.disabled = mountpoint.enabled === false;
        select.append(option);
    }
    if (previous && list.some((m) => String(m.id) === previous)) select.value = previous;
    select.disabled = !list.length;
    updateButtons();
}

async function refresh() {
    try {
        const answer = await request(streaming, { request: 'list' });
        if (answer?.streaming !== 'list') throw new Error(answer?.error || 'unexpected answer');
        showList(answer.list || []);
    } catch (error) {
        showError(`Cannot list the mountpoints: ${error.message}`);
    }
}

function onStatus(status) {
    const texts = {
        preparing: 'The server offered the stream; answering…',
        starting: 'Connecting to the stream…',
        started: 'Playing.',
        pausing: 'Paused.',
        stopping: 'Stopping…',
    };
    if (status === 'stopped') stopped('The stream stopped.');
    else if (texts[status]) setStatus(texts[status]);
}

function onmessage(message, jsep) {
    if (message.error) {
        showError(`The server refused the request (${message.error_code}): ${message.error}`);
        return;
    }
    const result = message.result || {};
    if (result.status) onStatus(result.status);
    if (result.switched === 'ok') {
        watching = result.id;
        showWatching();
        setStatus(`Switched to mountpoint ${result.id}.`);
        updateButtons();
    }
    if (jsep) answer(jsep);
}

// Answers the server's offer; we receive only, so no capture.
function answer(jsep) {
    streaming.createAnswer({
        jsep,
        tracks: [{ type: 'data' }],
        success: (ours) => streaming.send({ message: { request: 'start' }, jsep: ours }),
        error: (cause) => showError(`Cannot use the server's offer: ${cause?.message || cause}`),
    });
}

function onremotetrack(track, mid, on) {
    const stream = track.kind === 'video' ? videoStream : audioStream;
    if (on && !stream.getTrackById(track.id)) stream.addTrack(track);
    if (!on) stream.removeTrack(track);
    if ($('remote').srcObject !== videoStream) $('remote').srcObject = videoStream;
    if ($('remote-audio').srcObject !== audioStream) $('remote-audio').srcObject = audioStream;
    $('remote-placeholder').hidden = videoStream.getVideoTracks().length > 0;
}

function showWatching() {
    const mountpoint = mountpoints.find((m) => m.id === watching);
    $('remote-label').textContent = mountpoint ? describe(mountpoint) : `Mountpoint ${watching}`;
}

function showStats(sample) {
    $('stat-receive').textContent = formatKbps(sample.receiveKbps);
    $('stat-loss').textContent = formatNumber(sample.lossPercent, 1, ' %');
    const size = sample.width ? `${sample.width}×${sample.height}` : '—';
    $('stat-resolution').textContent = sample.fps ? `${size} at ${Math.round(sample.fps)} fps` : size;
    $('stat-frames').textContent = formatNumber(sample.framesDecoded);
}

function watch() {
    showError('');
    watching = Number($('mountpoint').value);
    showWatching();
    updateButtons();
    setStatus('Asking the server for the stream…');
    streaming.send({ message: { request: 'watch', id: watching } });
    const sampler = new StatsSampler();
    clearInterval(statsTimer);
    statsTimer = setInterval(async () => {
        const pc = streaming?.webrtcStuff?.pc;
        if (pc) showStats(sampler.sample(await pc.getStats()));
    }, 1000);
}

function switchTo() {
    showError('');
    streaming.send({ message: { request: 'switch', id: Number($('mountpoint').value) } });
}

// The stream ended (stop, hangup, or the mountpoint went away): ready to watch again.
function stopped(text) {
    clearInterval(statsTimer);
    statsTimer = null;
    watching = null;
    for (const stream of [videoStream, audioStream]) {
        for (const track of stream.getTracks()) stream.removeTrack(track);
    }
    $('remote-placeholder').hidden = false;
    $('remote-label').textContent = 'Nothing playing';
    setStatus(text);
    updateButtons();
}

function stop() {
    streaming.send({ message: { request: 'stop' } });
    streaming.hangup();
    stopped('Stopped.');
}

async function main() {
    try {
        janus = await connect({
            onLost: (cause) => showError(`Lost the connection to the server (${cause}).`),
        });
        streaming = await attach(janus, STREAMING, {
            onmessage,
            onremotetrack,
            webrtcState: (on) => {
                if (!on && watching !== null) stopped('The media connection closed.');
            },
            iceState: (state) => {
                if (state === 'failed') showError("No network path to the server's media ports (ICE failed).");
            },
        });
        expose({ streaming });
        await refresh();
    } catch (error) {
        showError(error.message);
    }
}

$('mountpoint').addEventListener('change', updateButtons);
$('refresh').addEventListener('click', refresh);
$('watch').addEventListener('click', watch);
$('switch').addEventListener('click', switchTo);
$('stop').addEventListener('click', stop);
main();
