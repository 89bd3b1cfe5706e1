// janode over the Janus REST transport: janode itself speaks WebSocket and Unix sockets only, so
// this gives its Connection a transport that POSTs each request to /janus[/session[/handle]] and
// long-polls every session it created, handing replies and events to janode exactly as its
// WebSocket transport does. The same janode sessions, handles and plugin helpers (VideoRoom,
// EchoTest) then run unchanged over HTTP.
import Janode from 'janode';
// Not among janode's package exports; the transport has to be set before the connection opens.
import Configuration from '../node_modules/janode/src/configuration.js';
import Connection from '../node_modules/janode/src/connection.js';

const MAX_EVENTS = 10; // events one long-poll may bring back

class HttpTransport {
    constructor(connection, base) {
        this.connection = connection;
        this.base = base;
        this.polls = new Map(); // session id -> AbortController of its long-poll loop
        // Per session: POSTs still waiting for their reply, and the events that came meanwhile.
        // Over WebSocket the server's reply comes before the events its request causes (a
        // "detached" after the detach's "success"); events are held back to keep that order.
        this.inflight = new Map(); // session id -> number of POSTs without a reply yet
        this.held = new Map(); // session id -> [event]
        this.closed = false;
    }

    async open() {
        const response = await fetch(`${this.base}/info`);
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`GET ${this.base}/info: ${response.status}`);
        return this.connection;
    }

    async close() {
        this.closed = true;
        for (const controller of this.polls.values()) controller.abort();
        this.polls.clear();
        this.connection._signalClose(true);
    }

    getRemoteHostname() {
        return new URL(this.base).hostname;
    }

    url(sessionId, handleId) {
        let url = this.base;
        if (sessionId) url += `/${sessionId}`;
        if (handleId) url += `/${handleId}`;
        return url;
    }

    async send(request) {
        if (this.closed) throw new Error('the HTTP transport is closed');
        const sessionId = request.session_id;
        if (sessionId) this.inflight.set(sessionId, (this.inflight.get(sessionId) ?? 0) + 1);
        try {
            const response = await fetch(this.url(sessionId, request.handle_id), {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(request),
            });
            this.handleReply(request, JSON.parse(await response.text()));
        } finally {
            if (sessionId) this.replied(sessionId);
        }
    }

    handleReply(request, reply) {
        if (request.janus === 'create' && reply.janus === 'success') {
            // A poll that fails leaves the session's events undelivered: the waits report it.
            this.poll(reply.data.id).catch((error) => {
                process.stderr.write(`janode-http: long-poll of ${reply.data.id}: ${error}\n`);
            });
        }
        if (request.janus === 'destroy' && reply.janus === 'success') {
            this.polls.get(request.session_id)?.abort();
            this.polls.delete(request.session_id);
        }
        this.deliver(reply);
    }

    replied(sessionId) {
        const left = this.inflight.get(sessionId) - 1;
        if (left > 0) {
            this.inflight.set(sessionId, left);
            return;
        }
        this.inflight.delete(sessionId);
        const held = this.held.get(sessionId) ?? [];
        this.held.delete(sessionId);
        for (const message of held) this.deliver(message);
    }

    event(sessionId, message) {
        if (this.inflight.has(sessionId)) {
            if (!this.held.has(sessionId)) this.held.set(sessionId, []);
            this.held.get(sessionId).push(message);
        } else {
            this.deliver(message);
        }
    }

    deliver(message) {
        if (!this.closed) this.connection._handleMessage(message);
    }

    // Long-polls `sessionId` until the session is destroyed, gone (404) or the transport closes.
    async poll(sessionId) {
        const controller = new AbortController();
        this.polls.set(sessionId, controller);
        while (!controller.signal.aborted) {
            let response;
            try {
                response = await fetch(`${this.url(sessionId)}?maxev=${MAX_EVENTS}`,
                    { signal: controller.signal });
            } catch (error) {
                if (controller.signal.aborted) return;
                throw error;
            }
            const text = await response.text();
            if (response.status !== 200) break;
            const body = JSON.parse(text);
            for (const message of Array.isArray(body) ? body : [body]) {
                if (message.janus !== 'keepalive') this.event(sessionId, message);
            }
        }
        if (this.polls.get(sessionId) === controller) this.polls.delete(sessionId);
    }
}

// A janode Connection to `server` over HTTP (REST requests and long-polls).
export async function connectJanodeHttp(server) {
    Janode.Logger.setLevel(process.env.JANODE_LOG_LEVEL || 'warning');
    const connection = new Connection(new Configuration({ address: { url: server.base } }));
    connection._transport = new HttpTransport(connection, server.base);
    return connection.open();
}
