// Where the browser tests open the demo pages: from the server under test (Prism serves web/
// itself), or, when that server is real Janus (which serves no files), from a small file
// server of our own, with ?server= pointing the pages at Janus's API.
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { againstJanus, WEB_DIR } from './server.js';

const TYPES = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.svg': 'image/svg+xml',
};

function serveWeb() {
    const server = http.createServer((request, response) => {
        const name = decodeURIComponent(new URL(request.url, 'http://x').pathname);
        const file = path.join(WEB_DIR, name.endsWith('/') ? `${name}index.html` : name);
        let size = -1;
        try {
            size = file.startsWith(WEB_DIR + path.sep) ? statSync(file).size : -1;
        } catch {
            // missing: 404 below
        }
        if (size < 0) {
            response.writeHead(404).end();
            return;
        }
        const type = TYPES[path.extname(file)] || 'application/octet-stream';
        response.writeHead(200, { 'content-type': type, 'content-length': size });
        createReadStream(file).pipe(response);
    });
    return new Promise((resolve) => {
        server.listen(0, '127.0.0.1', () => resolve(server));
    });
}

// Returns {url(page, query), close()} for the server under test.
export async function demoPages(server) {
    if (!againstJanus) {
        return { url: (page, query = '') => `${server.origin}/${page}${query}`, close: async () => {} };
    }
    const files = await serveWeb();
    const origin = `http://127.0.0.1:${files.address().port}`;
    const api = `server=${encodeURIComponent(server.base)}`;
    return {
        url: (page, query = '') => `${origin}/${page}${query ? `${query}&${api}` : `?${api}`}`,
        close: () => new Promise((resolve) => files.close(resolve)),
    };
}
