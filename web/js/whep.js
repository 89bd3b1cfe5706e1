// The WHEP player: a recvonly offer POSTed to /whep/endpoint/{room} (a video room) or
// /whep/mountpoint/{id} (a streaming mountpoint) with fetch, the answer set, the video shown with
// live statistics, and DELETE on the resource to stop. No janus.js: this is what any WHEP player
// does. ?room=N or ?mountpoint=N (and ?feed=, ?autoplay) fill the form from the URL.
import { formatKbps, formatNumber, StatsSampler } from './stats.js';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const state = { pc: null, resource: null, timer: null, bearer: '' };

function showError(text) {
    $('alert-area').textContent = text || '';
    if (text) console.error(text);
}

const isMountpoint = () => $('source').value === 'mountpoint';

// With an API token, the PIN travels as ?pin= (the Bearer is the token); else as the Bearer.
function endpointUrl() {
    const query = new URLSearchParams();
    if (!isMountpoint() && $('feed').value) query.set('feed', $('feed').value);
    if ($('token').value && $('pin').value) query.set('pin', $('pin').value);
    const path = isMountpoint() ? 'mountpoint' : 'endpoint';
    const search = query.toString() ? `?${query}` : '';
    return new URL(`/whep/${path}/${encodeURIComponent($('target').value)}${search}`,
        location.href).href;
}

function describeTarget() {
    return `${isMountpoint() ? 'mountpoint' : 'room'} ${$('target').value}`;
}

function showForm() {
    $('target-label').textContent = isMountpoint() ? 'Mountpoint' : 'Room';
    $('feed-field').hidden = isMountpoint();
    $('endpoint').textContent = endpointUrl().replace(/pin=[^&]*/, 'pin=…');
}

// Resolves once ICE gathering is over, so the offer carries every candidate (no trickle).
function gathered(pc) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
        pc.addEventListener('icegatheringstatechange', () => {
            if (pc.iceGatheringState === 'complete') resolve();
        });
    });
}

// The reason in a WHEP error answer ({"error": ...}), or the status line.
async function reasonOf(response) {
    try {
        return (await response.json()).error || `HTTP ${response.status}`;
    } catch {
        return `HTTP ${response.status}`;
    }
}

async function play(event) {
    event.preventDefault();
    showError('');
    await stop();
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    state.pc = pc;
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const stream = new MediaStream();
    pc.ontrack = ({ track }) => {
        stream.addTrack(track);
        $('video').srcObject = stream;
    };
    pc.onconnectionstatechange = () => {
        $('status').textContent = `Connection ${pc.connectionState}.`;
        if (pc.connectionState === 'failed') showError('The connection to the server failed.');
    };
    $('status').textContent = 'Sending the offer…';
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const headers = { 'Content-Type': 'application/sdp' };
    const bearer = $('token').value || $('pin').value;
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    let response;
    try {
        response = await fetch(endpointUrl(), { method: 'POST', headers, body: pc.localDescription.sdp });
    } catch (error) {
        showError(`Cannot reach the server: ${error.message}`);
        await stop();
        return;
    }
    if (response.status !== 201) {
        showError(`The server refused to play ${describeTarget()}: ${await reasonOf(response)}`);
        await stop();
        return;
    }
    state.resource = new URL(response.headers.get('Location'), location.href).href;
    state.bearer = bearer; // the resource wants the API credentials too
    await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
    const target = describeTarget();
    $('label').textContent = target.charAt(0).toUpperCase() + target.slice(1);
    $('status').textContent = 'Connecting…';
    $('play').disabled = true;
    $('stop').disabled = false;
    const sampler = new StatsSampler();
    state.timer = setInterval(async () => showStats(sampler.sample(await pc.getStats())), 1000);
}

function showStats(figures) {
    $('stat-receive').textContent = formatKbps(figures.receiveKbps);
    $('stat-loss').textContent = formatNumber(figures.lossPercent, 1, ' %');
    $('stat-rtt').textContent = formatNumber(figures.rttMs, 0, ' ms');
    $('stat-resolution').textContent = figures.width ? `${figures.width}×${figures.height}` : '—';
    $('stat-fps').textContent = formatNumber(figures.fps, 0);
    $('stat-frames').textContent = formatNumber(figures.framesDecoded, 0);
}

async function stop() {
    clearInterval(state.timer);
    state.timer = null;
    const { pc, resource } = state;
    state.pc = null;
    state.resource = null;
    const headers = state.bearer ? { Authorization: `Bearer ${state.bearer}` } : {};
    state.bearer = '';
    if (resource) await fetch(resource, { method: 'DELETE', headers }).catch(() => {});
    if (pc) pc.close();
    $('video').srcObject = null;
    $('label').textContent = 'Not playing';
    $('play').disabled = false;
    $('stop').disabled = true;
    window.prism = { ...window.prism, pc: null };
}

document.querySelector('[role="alert"]').id = 'alert-area';
if (params.get('mountpoint')) {
    $('source').value = 'mountpoint';
    $('target').value = params.get('mountpoint');
} else if (params.get('room')) {
    $('target').value = params.get('room');
}
if (params.get('feed')) $('feed').value = params.get('feed');
showForm();
for (const id of ['source', 'target', 'feed', 'pin', 'token']) $(id).addEventListener('input', showForm);
$('form').addEventListener('submit', async (event) => {
    await play(event);
    window.prism = { ...window.prism, pc: state.pc };
});
$('stop').addEventListener('click', () => stop());
window.addEventListener('pagehide', () => stop());
if (params.has('autoplay')) $('play').click();
