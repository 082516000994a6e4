// The contribute page's mesh membership in real Chromium against the real relay: it joins the
// signalling server under an id that names its key, with a signed token, and when its socket
// drops it comes back under the same id with a freshly signed one (the relay refuses a reused
// token as a replay, so a page that kept its first token would stay out).
import { expect, test } from 'vitest';
import { contributeUrl, openAppPage, pageKey, scenario, waitContributing, waitFor } from './harness';

/** Keeps every signalling WebSocket the page opens, so the test can drop one as a network would. */
function recordSignallingSockets(): void {
	const Native = window.WebSocket;
	const sockets: WebSocket[] = [];
	(window as unknown as { signallingSockets: WebSocket[] }).signallingSockets = sockets;
	window.WebSocket = class extends Native {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols);
			if (String(url).includes('/peerjs/peerjs')) sockets.push(this);
		}
	};
}

test('the contribute page joins the mesh under its key and rejoins with a fresh token after its socket drops', async () => {
	await scenario({}, async ({ relay, browser, diag }) => {
		const app = await openAppPage(browser, diag, 'contributor', contributeUrl(relay, {}), recordSignallingSockets);
		await waitContributing(app);
		const mesh = app.page.locator('[data-testid=mesh-status]');
		const state = () => mesh.getAttribute('data-state', { timeout: 5_000 });
		await waitFor(async () => (await state()) === 'connected', { timeoutMs: 30_000, message: 'the page to join the mesh', describe: async () => `mesh: ${await state()}` });
		const sockets = () => app.page.evaluate(() => (window as unknown as { signallingSockets: WebSocket[] }).signallingSockets.map((s) => s.url));
		const [first] = await sockets();
		const key = await pageKey(app);
		const id = new URL(first!).searchParams.get('id');
		expect(id).toMatch(new RegExp(`^mesh-${key.slice(0, 32)}-[0-9a-f]{16}$`));

		await app.page.evaluate(() => (window as unknown as { signallingSockets: WebSocket[] }).signallingSockets[0]!.close());
		await waitFor(async () => (await sockets()).length >= 2 && (await state()) === 'connected', {
			timeoutMs: 30_000,
			message: 'the page to rejoin the mesh',
			describe: async () => `mesh: ${await state()}; sockets opened: ${(await sockets()).length}`
		});
		const urls = await sockets();
		const again = new URL(urls.at(-1)!).searchParams;
		expect(again.get('id')).toBe(id);
		expect(again.get('token')).not.toBe(new URL(first!).searchParams.get('token'));
		// One reconnect, not a loop of refused ones.
		expect(urls).toHaveLength(2);
	});
});
