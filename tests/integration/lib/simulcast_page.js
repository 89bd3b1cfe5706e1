// The simulcast test page (pages/simulcast.html: janus.js in headless Chromium) for a test
// file: a server started with `env`, a janode connection, the page's file server and Chromium,
// started before the file's tests and closed after them (`beforeClose` runs first).
import { after, before } from 'node:test';
import { browserMissing, forwardConsole, launchBrowser, servePage } from './browser.js';
import { startServer } from './server.js';
import { connectJanode } from './videoroom.js';

export function simulcastPageRig(env, { beforeClose } = {}) {
    const rig = {};
    before(async () => {
        if (browserMissing()) return;
        rig.server = await startServer(env);
        rig.connection = await connectJanode(rig.server);
        rig.web = await servePage('simulcast');
        rig.browser = await launchBrowser();
    });
    after(async () => {
        beforeClose?.();
        await rig.browser?.close();
        rig.web?.close();
        await rig.connection?.close().catch(() => {});
        await rig.server?.stop();
    });
    // A page in a context of its own, with `query` (room, role, feed, ...) and its console
    // forwarded under `label`.
    rig.openPage = async (query, label) => {
        const page = await (await rig.browser.newContext()).newPage();
        forwardConsole(page, label);
        const search = new URLSearchParams({ server: rig.server.wsUrl, ...query });
        await page.goto(`http://127.0.0.1:${rig.web.address().port}/pages/simulcast.html?${search}`);
        return page;
    };
    return rig;
}

// What a page reports of itself (window.report in pages/simulcast.js).
export const report = (page) => page.evaluate(() => window.report());
