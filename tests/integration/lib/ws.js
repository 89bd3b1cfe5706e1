// A small Janus WebSocket client over `ws`: requests matched to replies by transaction, and
// every pushed message kept in order so tests can wait for events or check none arrived.
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ECHO_BODY, ECHOTEST, transaction } from './http.js';

// Text that is not JSON is kept, marked, so that a test fails on it with the text in view.
function parseMessage(text) {
    try {
        return JSON.parse(text);
    } catch {
        return { janus: '(not JSON)', text };
    }
}

export class JanusWs {
    constructor(socket) {
        this.socket = socket;
        this.received = []; // every message, in arrival order
        this.waiters = []; // callbacks woken on every message and on close
        this.closed = new Promise((resolve) => {
            socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
        });
        this.isClosed = false;
        this.closed.then(() => {
            this.isClosed = true;
            this.wake();
        });
        socket.on('message', (data) => {
            this.received.push(parseMessage(data.toString()));
            this.wake();
        });
        // A reset connection is reported by 'close' as well; keep the error for diagnosis.
        socket.on('error', (error) => (this.error = error));
    }

    // Opens a socket with the Janus subprotocol; `options` go to the ws library (e.g. {ca}).
    static async connect(url, options = {}) {
        const socket = new WebSocket(url, 'janus-protocol', options);
        await new Promise((resolve, reject) => {
            socket.once('open', resolve);
            socket.once('error', reject);
        });
        return new JanusWs(socket);
    }

    wake() {
        for (const waiter of [...this.waiters]) waiter();
    }

    send(message) {
        this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    }

    // Waits for the first received message (from index `from`) matching `match`.
    async waitFor(match, { timeoutMs = 10000, from = 0 } = {}) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = this.received.slice(from).find(match);
            if (found) return found;
            if (this.isClosed) throw new Error('socket closed while waiting for a message');
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms`);
            await this.nextMessage(left);
        }
    }

    // Resolves when a message arrives, the socket closes, or `ms` pass.
    nextMessage(ms) {
        return new Promise((resolve) => {
            const done = () => {
                clearTimeout(timer);
                this.waiters = this.waiters.filter((waiter) => waiter !== done);
                resolve();
            };
            const timer = setTimeout(done, ms);
            this.waiters.push(done);
        });
    }

    // Sends a request (with a fresh transaction unless it has one) and resolves with the first
    // reply carrying its transaction that is not a plugin event: "success", "error", "ack" ...
    async request(body, { timeoutMs = 10000 } = {}) {
        const tx = body.transaction || transaction();
        const from = this.received.length;
        this.send({ ...body, transaction: tx });
        return this.waitFor((m) => m.transaction === tx && m.janus !== 'event', { timeoutMs, from });
    }

    async create() {
        const reply = await this.request({ janus: 'create' });
        assert.equal(reply.janus, 'success', JSON.stringify(reply));
        return reply.data.id;
    }

    async attach(sessionId, plugin = ECHOTEST) {
        const reply = await this.request({ janus: 'attach', session_id: sessionId, plugin });
        assert.equal(reply.janus, 'success', JSON.stringify(reply));
        return reply.data.id;
    }

    async destroy(sessionId) {
        const reply = await this.request({ janus: 'destroy', session_id: sessionId });
        assert.equal(reply.janus, 'success', JSON.stringify(reply));
    }

    // Sends a plugin message; resolves with {ack, event} once both arrived. Janus may push the
    // event before the ack, so neither order is assumed.
    async message(sessionId, handleId, body = ECHO_BODY, timeoutMs = 10000) {
        const tx = transaction();
        const from = this.received.length;
        this.send({ janus: 'message', session_id: sessionId, handle_id: handleId, transaction: tx, body });
        const options = { timeoutMs, from };
        const ack = await this.waitFor((m) => m.transaction === tx && m.janus !== 'event', options);
        assert.equal(ack.janus, 'ack', `message not acked: ${JSON.stringify(ack)}`);
        const event = await this.waitFor((m) => m.transaction === tx && m.janus === 'event', options);
        return { tx, ack, event };
    }

    // Closes the socket and waits until it is closed.
    async close() {
        if (!this.isClosed) this.socket.close();
        await this.closed;
    }
}
