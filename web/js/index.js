// The landing page: the server's name and version, which demos its plugins allow, and the
// video rooms open now (through janus.js and the VideoRoom "list" request).
import {
    attach,
    connect,
    fetchInfo,
    pageLink,
    request,
    serverUrl,
    showError,
} from './janus-client.js';

const ECHOTEST = 'janus.plugin.echotest';
const VIDEOROOM = 'janus.plugin.videoroom';
const STREAMING = 'janus.plugin.streaming';

const $ = (id) => document.getElementById(id);

function showServer(info) {
    $('server').textContent = `${info.name || 'Server'} ${info.version_string || ''}`.trim();
    const plugins = info.plugins || {};
    $('echotest-state').textContent = plugins[ECHOTEST] ? '' : '(not available on this server)';
    $('videoroom-state').textContent = plugins[VIDEOROOM]
        ? ''
        : '(not available on this server yet)';
    $('streaming-state').textContent = plugins[STREAMING] ? '' : '(not available on this server)';
    return Boolean(plugins[VIDEOROOM]);
}

function showRooms(list) {
    const rooms = $('rooms');
    rooms.replaceChildren();
    $('rooms-status').textContent = list.length ? '' : 'No rooms are open.';
    for (const room of list) {
        const item = document.createElement('li');
        const link = document.createElement('a');
        link.href = pageLink('videoroom.html', { room: room.room });
        link.textContent = room.description || `Room ${room.room}`;
        const people = room.num_participants ?? 0;
        item.append(link, ` (room ${room.room}, ${people} ${people === 1 ? 'person' : 'people'}`);
        if (room.pin_required) item.append(', PIN needed');
        item.append(')');
        rooms.append(item);
    }
}

async function listRooms() {
    const janus = await connect();
    try {
        const handle = await attach(janus, VIDEOROOM);
        const answer = await request(handle, { request: 'list' });
        if (answer?.videoroom !== 'success') throw new Error(answer?.error || 'unexpected answer');
        showRooms(answer.list || []);
    } finally {
        janus.destroy();
    }
}

async function main() {
    $('api-url').textContent = serverUrl;
    for (const link of document.querySelectorAll('a[data-page]'))
        link.href = pageLink(link.dataset.page);
    let hasVideoRoom;
    try {
        hasVideoRoom = showServer(await fetchInfo());
    } catch (error) {
        $('server').textContent = 'Server unreachable';
        showError(`Cannot reach the server's API at ${serverUrl}: ${error.message}`);
        $('rooms-status').textContent = '';
        return;
    }
    if (!hasVideoRoom) {
        $('rooms-status').textContent =
            'This server has no VideoRoom plugin yet, so there are no rooms.';
        return;
    }
    try {
        await listRooms();
    } catch (error) {
        $('rooms-status').textContent = `Cannot list the rooms: ${error.message}`;
    }
}

main();
