// The video room page: the join form, the buttons in the room, and what the person sees when
// things go wrong. The Janus work is in room.js, the grid in room-view.js.
import { connect, expose, showError } from './janus-client.js';
import { Room } from './room.js';
import { RoomView } from './room-view.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const view = new RoomView($('tiles'));
let room = null;

function setStatus(text) {
    $('status').textContent = text;
}

function showInRoom(inRoom) {
    $('join-form').hidden = inRoom;
    $('in-room').hidden = !inRoom;
    $('join').disabled = false;
    for (const id of ['mute-audio', 'mute-video', 'share-screen']) {
        $(id).setAttribute('aria-pressed', 'false');
    }
    $('mute-audio').textContent = 'Mute microphone';
    $('mute-video').textContent = 'Turn camera off';
    $('share-screen').textContent = 'Share screen';
    $('room-title').textContent = inRoom
        ? `Room ${room.room}`
        : 'Everyone in the same room sees and hears each other.';
}

// Back to the form, keeping `message` as the status.
function endRoom(message) {
    room?.leave();
    room = null;
    view.removeAll();
    showInRoom(false);
    setStatus(message);
}

async function join(event) {
    event.preventDefault();
    showError('');
    const number = Number($('room').value);
    const display = $('display').value.trim();
    if (!Number.isSafeInteger(number) || number <= 0 || !display) {
        showError('Give a room number and your name.');
        return;
    }
    localStorage.setItem('prism-display', display);
    $('join').disabled = true;
    setStatus('Connecting to the server…');
    try {
        const janus = await connect({
            onLost: (cause) => {
                if (room?.janus !== janus) return; // a session we left already
                showError(`Lost the connection to the server (${cause}). Is it still running?`);
                endRoom('Disconnected.');
            },
        });
        const simulcast = $('simulcast').checked;
        room = new Room(janus, { room: number, display, pin: $('pin').value, simulcast }, view, {
            onError: showError,
            onStatus: setStatus,
            onLeft: (text) => endRoom(text),
            onScreenChange: (sharing) =>
                toggle($('share-screen'), sharing, 'Stop sharing', 'Share screen'),
        });
        expose({ room });
        showInRoom(true);
        setStatus(`Joining room ${number}…`);
        await room.join();
    } catch (error) {
        showError(error.message);
        endRoom('Not connected.');
    }
}

function toggle(button, on, onText, offText) {
    button.setAttribute('aria-pressed', String(on));
    button.textContent = on ? onText : offText;
}

$('join-form').addEventListener('submit', join);
$('leave').addEventListener('click', () => endRoom('You left the room.'));
$('mute-audio').addEventListener('click', () => {
    const muted = !room.audioMuted;
    room.setMuted('audio', muted);
    toggle($('mute-audio'), muted, 'Unmute microphone', 'Mute microphone');
});
$('mute-video').addEventListener('click', () => {
    const muted = !room.videoMuted;
    room.setMuted('video', muted);
    toggle($('mute-video'), muted, 'Turn camera on', 'Turn camera off');
});
$('share-screen').addEventListener('click', () => {
    if (room.screenTrack) room.stopScreen();
    else room.shareScreen();
});
if (!navigator.mediaDevices?.getDisplayMedia) $('share-screen').hidden = true;
window.addEventListener('pagehide', () => room?.leave());

$('room').value = params.get('room') || $('room').value;
$('simulcast').checked = params.get('simulcast') === '1';
$('display').value =
    params.get('name') ||
    localStorage.getItem('prism-display') ||
    `Guest ${Math.floor(Math.random() * 900 + 100)}`;
