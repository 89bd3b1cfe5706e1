// WHIP (RFC 9725) helpers for the tests: POST an offer, PATCH an sdpfrag, DELETE a resource,
// all with Node's fetch, returning the status, headers and body so tests check all three.

// POSTs `sdp` to `url` (content type application/sdp unless `type` says otherwise).
export async function whipPost(url, sdp, { type = 'application/sdp', token } = {}) {
    const headers = { 'Content-Type': type };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(url, { method: 'POST', headers, body: sdp });
    return { status: response.status, headers: response.headers, body: await response.text() };
}

export async function whipPatch(url, fragment, { type = 'application/trickle-ice-sdpfrag',
    etag, token } = {}) {
    const headers = { 'Content-Type': type };
    if (etag) headers['If-Match'] = etag;
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(url, { method: 'PATCH', headers, body: fragment });
    return { status: response.status, headers: response.headers, body: await response.text() };
}

export async function whipDelete(url, { token } = {}) {
    const headers = token !== undefined ? { Authorization: `Bearer ${token}` } : {};
    const response = await fetch(url, { method: 'DELETE', headers });
    return { status: response.status, headers: response.headers, body: await response.text() };
}

// The JSON error of a WHIP answer: {error, code}.
export function whipError(answer) {
    try {
        return JSON.parse(answer.body);
    } catch {
        return { error: `not JSON: ${answer.body}` };
    }
}

// A fixed offer that passes WHIP's checks (BUNDLE, rtcp-mux, ICE and DTLS attributes), for tests
// that need the server's answer to a POST but no media.
export const STATIC_OFFER = [
    'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:lgUf',
    'a=ice-pwd:lgPwdlgPwdlgPwdlgPwdlgPw',
    `a=fingerprint:sha-256 ${Array(32).fill('AB').join(':')}`,
    'a=setup:actpass', 'a=mid:0', 'a=sendonly', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', '',
].join('\r\n');
