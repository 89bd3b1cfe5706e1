// The rig of the VideoRoom tests that script Chromium pages as WebRTC peers (BrowserPeer,
// lib/browser_peer.js): a Prism server, a janode connection with an admin handle, one browser
// context and a blank page to open peers on, set up before the file's tests and closed after.
import { after, before } from 'node:test';
import { launchBrowser } from './browser.js';
import { BrowserPeer, serveBlankPage } from './browser_peer.js';
import { startServer } from './server.js';
import { connectJanode, RoomHandle } from './videoroom.js';

export function browserRoomRig(serverEnv) {
    const rig = { server: null, connection: null, admin: null, browser: null, context: null,
        blank: null };
    const closing = [];
    before(async () => {
        rig.server = await startServer(serverEnv);
        rig.connection = await connectJanode(rig.server);
        rig.admin = await RoomHandle.attach(await rig.connection.create());
        rig.browser = await launchBrowser();
        rig.context = await rig.browser.newContext();
        rig.blank = await serveBlankPage();
    });
    after(async () => {
        for (const item of closing) await item.close();
        await rig.browser?.close();
        rig.blank?.close();
        await rig.connection?.close().catch(() => {});
        await rig.server?.stop();
    });
    // Closes `item` (a BrowserPeer, a Participant) after the tests, before the browser.
    rig.closeAfter = (item) => {
        closing.push(item);
        return item;
    };
    rig.openPeer = async () => rig.closeAfter(await BrowserPeer.open(rig.context, rig.blank.url));
    rig.attachHandle = async () => RoomHandle.attach(await rig.connection.create());
    return rig;
}
