// The video room's grid: one tile per participant (camera), one more per shared screen, each
// with the person's name, a talking outline and a "muted" badge; audio plays from a hidden
// element per participant. A camera sent in three qualities (simulcast or SVC) gets a menu to
// choose which one to receive and shows which one arrives. Knows nothing of Janus: room.js and
// subscription.js tell it what changed.

const AUDIO_BADGE = '🔇 muted';

// The qualities a person can choose, in the menu's order; "auto" lets the server choose.
export const QUALITIES = ['auto', 'high', 'medium', 'low'];

function initials(name) {
    return (name || '?').trim().slice(0, 1).toUpperCase() || '?';
}

export class RoomView {
    constructor(grid) {
        this.grid = grid;
        this.people = new Map(); // participant id ("local" for oneself) -> person
    }

    // A participant's tile; `local` mutes its video element (no echo of oneself).
    addPerson(id, display, { local = false } = {}) {
        if (this.people.has(id)) {
            this.rename(id, display);
            return;
        }
        const tile = this.makeTile(id, display, local ? 'local' : 'remote', 'camera');
        const audio = document.createElement('audio');
        audio.autoplay = true;
        tile.append(audio);
        this.people.set(id, { id, display, tile, audio, screens: new Map(), local });
        this.grid.append(tile);
    }

    makeTile(id, display, role, kind) {
        const tile = document.createElement('div');
        tile.className = `tile ${role} ${kind}`;
        tile.dataset.person = id;
        const video = document.createElement('video');
        video.autoplay = true;
        video.playsInline = true;
        video.muted = true; // sound comes from the person's audio element
        const placeholder = document.createElement('div');
        placeholder.className = 'placeholder';
        placeholder.textContent = kind === 'screen' ? '🖥' : initials(display);
        const label = document.createElement('span');
        label.className = 'label';
        const name = document.createElement('span');
        name.className = 'name';
        name.textContent = kind === 'screen' ? `${display} (screen)` : display;
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.hidden = true;
        badge.textContent = AUDIO_BADGE;
        label.append(name, badge);
        tile.append(video, placeholder, label);
        return tile;
    }

    rename(id, display) {
        const person = this.people.get(id);
        if (!person || person.display === display) return;
        person.display = display;
        person.tile.querySelector('.name').textContent = display;
        person.tile.querySelector('.placeholder').textContent = initials(display);
    }

    removePerson(id) {
        const person = this.people.get(id);
        if (!person) return;
        person.tile.remove();
        for (const tile of person.screens.values()) tile.remove();
        this.people.delete(id);
    }

    removeAll() {
        for (const id of [...this.people.keys()]) this.removePerson(id);
    }

    // Shows `track` (or nothing, when null) as the person's camera.
    setCamera(id, track) {
        const person = this.people.get(id);
        if (person) showTrack(person.tile, track);
    }

    // A camera that is off (muted track, or turned off by its owner) shows the placeholder.
    setCameraOff(id, off) {
        const person = this.people.get(id);
        if (person) person.tile.querySelector('.placeholder').hidden = !off;
    }

    setScreen(id, key, track) {
        const person = this.people.get(id);
        if (!person) return;
        let tile = person.screens.get(key);
        if (!track) {
            tile?.remove();
            person.screens.delete(key);
            return;
        }
        if (!tile) {
            tile = this.makeTile(id, person.display, person.local ? 'local' : 'remote', 'screen');
            person.screens.set(key, tile);
            person.tile.after(tile);
        }
        showTrack(tile, track);
    }

    setAudio(id, track) {
        const person = this.people.get(id);
        if (!person) return;
        person.audio.srcObject = track ? new MediaStream([track]) : null;
    }

    setAudioMuted(id, muted) {
        const person = this.people.get(id);
        if (person) person.tile.querySelector('.badge').hidden = !muted;
    }

    setTalking(id, talking) {
        this.people.get(id)?.tile.classList.toggle('talking', talking);
    }

    // Puts the quality menu on the person's camera tile (once); `onChoose(quality)` gets the
    // person's pick, one of QUALITIES.
    showQualityMenu(id, onChoose) {
        const person = this.people.get(id);
        if (!person || person.tile.querySelector('.quality')) return;
        const box = document.createElement('label');
        box.className = 'quality';
        const menu = document.createElement('select');
        menu.setAttribute('aria-label', `Quality of ${person.display}'s video`);
        for (const quality of QUALITIES) {
            const option = document.createElement('option');
            option.value = quality;
            option.textContent = quality;
            menu.append(option);
        }
        menu.addEventListener('change', () => onChoose(menu.value));
        const layer = document.createElement('span');
        layer.className = 'layer';
        layer.title = 'The quality that arrives';
        box.append(menu, layer);
        person.tile.append(box);
        if (person.layer) this.setLayer(id, person.layer);
    }

    // Shows the quality that arrives on the person's camera tile ('high', 'medium', 'low').
    // Kept for a menu shown later: the server may say it first.
    setLayer(id, quality) {
        const person = this.people.get(id);
        if (!person) return;
        person.layer = quality;
        const layer = person.tile.querySelector('.quality .layer');
        if (layer) layer.textContent = `receiving ${quality}`;
    }
}

function showTrack(tile, track) {
    const video = tile.querySelector('video');
    const current = video.srcObject?.getVideoTracks()[0];
    if (track && current !== track) video.srcObject = new MediaStream([track]);
    if (!track) video.srcObject = null;
    tile.querySelector('.placeholder').hidden = Boolean(track);
}
