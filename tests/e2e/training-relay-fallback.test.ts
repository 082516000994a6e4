// A peer with no direct WebRTC path to the host still trains: its page drops every ICE
// candidate (as a strict firewall would), its data channel never opens, and it falls back to
// the relay's mailboxes. A second peer connects directly. Both are accepted every round.
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { openAppPage, scenario, waitFor } from './harness';

const ROUNDS = 2;

/** Runs in the peer's pages: no ICE candidate leaves or enters, so no connection can be made. */
function blockIceCandidates(): void {
	const Native = window.RTCPeerConnection;
	class Firewalled extends Native {
		override addIceCandidate(): Promise<void> {
			return Promise.resolve();
		}
		override set onicecandidate(handler: ((ev: RTCPeerConnectionIceEvent) => void) | null) {
			super.onicecandidate = handler && ((ev: RTCPeerConnectionIceEvent) => void (ev.candidate || handler.call(this, ev)));
		}
		override get onicecandidate(): ((ev: RTCPeerConnectionIceEvent) => void) | null {
			return super.onicecandidate;
		}
	}
	window.RTCPeerConnection = Firewalled;
}

const hostStatus = (page: Page) => page.locator('[data-testid=host-status]');
const participant = (page: Page, name: string) => page.locator(`[data-testid=participant][data-nickname="${name}"]`);
const describeHost = async (page: Page) =>
	`host: "${(await hostStatus(page).textContent())?.trim()}"; participants: ${(await page.locator('[data-testid=participants]').innerText()).replace(/\s+/g, ' ')}`;

test('a peer without a direct path trains through the relay, beside one that connects directly', async () => {
	await scenario({}, async ({ relay, browser, diag }) => {
		const host = await openAppPage(browser, diag, 'host', `${relay.url}/train?mode=host`);
		await host.page.fill('input[type=number] >> nth=0', String(ROUNDS));
		await host.page.fill('input[type=number] >> nth=1', '8');
		await host.page.fill('input[type=number] >> nth=2', '4');
		await host.page.click('[data-testid=host-open]');
		const code = (await host.page.textContent('[data-testid=join-code]', { timeout: 60_000 }))!.trim();
		const initialLoss = Number(await hostStatus(host.page).getAttribute('data-initial-loss'));

		const remy = await openAppPage(browser, diag, 'remy', `${relay.url}/train?code=${code}&name=remy`, blockIceCandidates);
		const dana = await openAppPage(browser, diag, 'dana', `${relay.url}/train?code=${code}&name=dana`);
		for (const p of [remy, dana]) await p.page.click('[data-testid=join-submit]');
		await waitFor(async () => (await host.page.locator('[data-testid=participant]').count()) === 2, {
			timeoutMs: 90_000,
			message: 'the host to list both peers',
			describe: async () => `${await describeHost(host.page)}; remy: ${await remy.page.textContent('[data-testid=peer-status]')}`
		});
		expect(await participant(host.page, 'remy').getAttribute('data-via')).toBe('relay');
		expect(await participant(host.page, 'dana').getAttribute('data-via')).toBe('direct');
		expect(await remy.page.textContent('main')).toMatch(/through the relay/);
		await host.page.click('[data-testid=host-start]');

		await waitFor(async () => (await hostStatus(host.page).getAttribute('data-state')) === 'ended', { timeoutMs: 240_000, message: 'the session to end', describe: () => describeHost(host.page) });
		expect(Number(await hostStatus(host.page).getAttribute('data-loss'))).toBeLessThan(initialLoss);
		for (const name of ['remy', 'dana']) {
			const row = participant(host.page, name);
			expect(Number(await row.locator('[data-testid=accepted]').textContent()), await describeHost(host.page)).toBe(ROUNDS);
			expect(Number(await row.locator('[data-testid=rejected]').textContent())).toBe(0);
		}
		expect(Number(await remy.page.textContent('[data-testid=peer-accepted]'))).toBe(ROUNDS);
	});
});
