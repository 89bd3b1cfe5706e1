// What every demo page shares: where the Janus API is, janus.js started once, sessions and
// plugin handles as promises, plugin requests, and the error area of the page.
import Janus from 'janus-gateway';

export { Janus };

const params = new URLSearchParams(location.search);

// The Janus API the page talks to: this server's /janus, or another one given as
// ?server=URL (an http(s) or ws(s) URL of Prism or Janus).
export const serverUrl = params.get('server') || new URL('/janus', location.href).href;

let initialized = null;

// Starts janus.js once (?debug in the page URL turns its console logging on).
export function initJanus() {
    initialized ??= new Promise((resolve, reject) => {
        Janus.init({
            debug: params.has('debug') ? 'all' : ['error'],
            callback: () => {
                if (Janus.isWebrtcSupported()) resolve();
                else reject(new Error('This browser does not support WebRTC.'));
            },
        });
    });
    return initialized;
}

// Opens a Janus session. `onLost` runs if the server goes away once connected.
export async function connect({ onLost } = {}) {
    await initJanus();
    return new Promise((resolve, reject) => {
        let connected = false;
        const janus = new Janus({
            server: serverUrl,
            success: () => {
                connected = true;
                resolve(janus);
            },
            error: (cause) => {
                if (!connected)
                    reject(new Error(`Cannot reach the server at ${serverUrl} (${cause}).`));
                else onLost?.(String(cause));
            },
        });
    });
}

// Attaches a plugin handle; `callbacks` are janus.js's (onmessage, onremotetrack, ...).
export function attach(janus, plugin, callbacks = {}) {
    return new Promise((resolve, reject) => {
        janus.attach({
            ...callbacks,
            plugin,
            opaqueId: `${plugin}-${Janus.randomString(12)}`,
            success: resolve,
            error: (cause) => reject(new Error(`Cannot use ${plugin}: ${cause}`)),
        });
    });
}

// Sends a plugin request that is answered at once ("list", "exists", ...) and resolves with
// the plugin's answer.
export function request(handle, message) {
    return new Promise((resolve, reject) => {
        handle.send({
            message,
            success: resolve,
            error: (cause) => reject(new Error(String(cause))),
        });
    });
}

// The server's GET <api>/info document (only for http(s) API URLs).
export async function fetchInfo() {
    const url = serverUrl.replace(/\/+$/, '') + '/info';
    const response = await fetch(url, { cache: 'no-store' });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return response.json();
}

// Puts `text` in the page's alert area (role="alert", so screen readers announce it), or
// clears it when `text` is empty.
export function showError(text) {
    const area = document.querySelector('[role="alert"]');
    area.textContent = text || '';
    if (text) console.error(text);
}

// Explains why camera or microphone capture failed, in words a person can act on.
export function describeMediaError(error) {
    const name = error?.name || '';
    if (['NotFoundError', 'DevicesNotFoundError', 'OverconstrainedError'].includes(name))
        return 'No camera or microphone was found on this device.';
    if (['NotAllowedError', 'PermissionDeniedError'].includes(name))
        return 'Access to the camera and microphone was refused: allow it for this page and try again.';
    if (['NotReadableError', 'TrackStartError', 'AbortError'].includes(name))
        return 'The camera or microphone is busy in another application.';
    if (name === 'SecurityError' || !navigator.mediaDevices)
        return 'Camera access needs a secure page (https, or http://127.0.0.1 / localhost).';
    return `Cannot use the camera or microphone: ${error?.message || error}`;
}

// A link to another demo page that keeps this page's ?server and ?debug.
export function pageLink(page, query = {}) {
    const url = new URL(page, location.href);
    for (const name of ['server', 'debug']) {
        if (params.has(name)) url.searchParams.set(name, params.get(name));
    }
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url.pathname.replace(/^.*\//, '') + url.search;
}

// Exposes page state on window.prism, for the browser tests and for the console.
export function expose(values) {
    window.prism = Object.assign(window.prism || {}, values);
}
