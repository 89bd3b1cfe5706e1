// A small Janus REST client over Node's fetch: requests, long-polls and the usual
// create/attach/message steps, returning status and parsed JSON so tests can check both.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

export const ECHOTEST = 'janus.plugin.echotest';
// Janus's echotest answers {"echotest":"event","result":"ok"} to a body with a known attribute.
export const ECHO_BODY = { audio: true };

export const transaction = () => randomUUID().slice(0, 12);

export class JanusHttp {
    constructor(base) {
        this.base = base;
    }

    url(sessionId, handleId) {
        let url = this.base;
        if (sessionId !== undefined) url += `/${sessionId}`;
        if (handleId !== undefined) url += `/${handleId}`;
        return url;
    }

    // POSTs `body` (an object, or raw text sent as is) and returns {status, headers, text, json}.
    async post(body, sessionId, handleId) {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        const response = await fetch(this.url(sessionId, handleId), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: text,
        });
        return parse(response);
    }

    // One long-poll on the session: GET /janus/<session>[?maxev=N]. `timeoutMs` aborts it.
    async poll(sessionId, { maxev, timeoutMs = 40000 } = {}) {
        const query = maxev === undefined ? '' : `?maxev=${maxev}`;
        const response = await fetch(this.url(sessionId) + query, {
            signal: AbortSignal.timeout(timeoutMs),
        });
        return parse(response);
    }

    // Long-polls until an event matching `match` arrives; returns it and the events skipped.
    async pollUntil(sessionId, match, timeoutMs = 20000) {
        const deadline = Date.now() + timeoutMs;
        const skipped = [];
        while (Date.now() < deadline) {
            const reply = await this.poll(sessionId, { timeoutMs: deadline - Date.now() + 1000 });
            assert.equal(reply.status, 200, `long-poll answered ${reply.status}: ${reply.text}`);
            if (reply.json.janus === 'keepalive') continue;
            if (match(reply.json)) return { event: reply.json, skipped };
            skipped.push(reply.json);
        }
        throw new Error(`no matching event on session ${sessionId} within ${timeoutMs} ms`);
    }

    // Sends a request that must succeed; returns the reply body.
    async request(body, sessionId, handleId) {
        const reply = await this.post({ transaction: transaction(), ...body }, sessionId, handleId);
        assert.equal(reply.status, 200);
        assert.notEqual(reply.json.janus, 'error', `${body.janus} failed: ${reply.text}`);
        return reply.json;
    }

    async create() {
        const reply = await this.request({ janus: 'create' });
        assert.equal(reply.janus, 'success');
        return reply.data.id;
    }

    async attach(sessionId, plugin = ECHOTEST) {
        const reply = await this.request({ janus: 'attach', plugin }, sessionId);
        assert.equal(reply.janus, 'success');
        return reply.data.id;
    }

    async destroy(sessionId) {
        const reply = await this.request({ janus: 'destroy' }, sessionId);
        assert.equal(reply.janus, 'success');
    }

    // Sends a plugin message, checks the ack, and returns the transaction used.
    async message(sessionId, handleId, body = ECHO_BODY) {
        const tx = transaction();
        const reply = await this.post({ janus: 'message', transaction: tx, body }, sessionId, handleId);
        assert.equal(reply.status, 200);
        assert.equal(reply.json.janus, 'ack', `message not acked: ${reply.text}`);
        assert.equal(reply.json.transaction, tx);
        return tx;
    }
}

async function parse(response) {
    const text = await response.text();
    let json = null;
    try {
        json = text ? JSON.parse(text) : null;
    } catch {
        json = null;
    }
    return { status: response.status, headers: response.headers, text, json };
}

// Checks a plugin event is the echotest's "result ok" answer to `tx` from `handleId`.
export function assertEchoEvent(event, sessionId, handleId, tx) {
    assert.equal(event.janus, 'event');
    assert.equal(event.session_id, sessionId);
    assert.equal(event.sender, handleId);
    assert.equal(event.transaction, tx);
    assert.deepEqual(event.plugindata, {
        plugin: ECHOTEST,
        data: { echotest: 'event', result: 'ok' },
    });
}
