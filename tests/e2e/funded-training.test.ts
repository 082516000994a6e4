// A funded session: the host prepays a budget from its grant, and after each round the relay
// pays each accepted contribution from the escrow at the session's price; a peer that sends
// poisoned deltas earns nothing. One honest peer has no direct WebRTC path to the host (its page
// drops every ICE candidate, as a strict firewall would) and takes part through the relay.
import type { Page } from 'playwright-core';
import type { Trust } from '../../src/lib/protocol/trust.js';
import { expect, test } from 'vitest';
import { getJson, openAppPage, pageBalanceMicro, pageKey, scenario, waitFor } from './harness';

const ROUNDS = 2;
const STEPS = 8;
const BATCH = 4;
const CONTEXT = 64;
/** What 1,000 accepted tokens earn, in credits (a round here is 512 to 4,096 tokens, by the peer's speed). */
const PRICE_PER_K_TOKEN = 0.5;
const MICRO = 1_000_000;
/** Enough for the most two honest peers can earn (2 rounds × 2H steps × 4 × 64 tokens each at the price, 8.2 cr), so no payout is capped. */
const BUDGET_CREDITS = 10;

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

test('a funded session pays accepted contributions, not the poisoner; a peer without a direct path takes part through the relay', async () => {
	await scenario({}, async ({ relay, browser, diag }) => {
		const host = await openAppPage(browser, diag, 'host', `${relay.url}/train?mode=host`);
		await host.page.click('[data-testid=grant-button]', { timeout: 30_000 });
		await waitFor(async () => ((await pageBalanceMicro(host)) ?? 0) > 0 || undefined, { timeoutMs: 30_000, message: 'host: a balance after the grant' });
		await host.page.fill('input[type=number] >> nth=0', String(ROUNDS));
		await host.page.fill('input[type=number] >> nth=1', String(STEPS));
		await host.page.fill('input[type=number] >> nth=2', String(BATCH));
		await host.page.check('[data-testid=mode-funded]');
		await host.page.fill('[data-testid=budget]', String(BUDGET_CREDITS));
		await host.page.fill('[data-testid=price]', String(PRICE_PER_K_TOKEN));
		// A demonstration, so one peer may send poisoned updates and be seen to earn nothing.
		await host.page.check('[data-testid=host-demonstration]');
		await host.page.click('[data-testid=host-open]');
		const code = (await host.page.textContent('[data-testid=join-code]', { timeout: 60_000 }))!.trim();
		const initialLoss = Number(await hostStatus(host.page).getAttribute('data-initial-loss'));

		const peerUrl = (name: string) => `${relay.url}/train?code=${code}&name=${name}`;
		const remy = await openAppPage(browser, diag, 'remy', peerUrl('remy'), blockIceCandidates);
		const dana = await openAppPage(browser, diag, 'dana', peerUrl('dana'));
		const mallory = await openAppPage(browser, diag, 'mallory', peerUrl('mallory'));
		const peers = { remy, dana, mallory };
		for (const p of Object.values(peers)) await p.page.click('[data-testid=join-submit]');
		// The attack is offered once the host's welcome says the session is a demonstration.
		await mallory.page.selectOption('[data-testid=peer-attack]', 'sign-flip', { timeout: 90_000 });
		await waitFor(async () => (await host.page.locator('[data-testid=participant]').count()) === 3, {
			timeoutMs: 90_000,
			message: 'the host to list all three peers',
			describe: async () => `${await describeHost(host.page)}; remy: ${await remy.page.textContent('[data-testid=peer-status]')}`
		});
		expect(await participant(host.page, 'remy').getAttribute('data-via')).toBe('relay');
		expect(await participant(host.page, 'dana').getAttribute('data-via')).toBe('direct');
		expect(await remy.page.textContent('main')).toMatch(/through the relay/);
		await host.page.click('[data-testid=host-start]');

		await waitFor(async () => (await hostStatus(host.page).getAttribute('data-state')) === 'ended', { timeoutMs: 240_000, message: 'the session to end', describe: () => describeHost(host.page) });
		expect(Number(await hostStatus(host.page).getAttribute('data-loss'))).toBeLessThan(initialLoss);
		const counts = async (name: string) => {
			const row = participant(host.page, name);
			return [Number(await row.locator('[data-testid=accepted]').textContent()), Number(await row.locator('[data-testid=rejected]').textContent())];
		};
		expect(await counts('remy'), await describeHost(host.page)).toEqual([ROUNDS, 0]);
		expect(await counts('dana'), await describeHost(host.page)).toEqual([ROUNDS, 0]);
		expect(await counts('mallory'), await describeHost(host.page)).toEqual([0, ROUNDS]);
		expect(Number(await remy.page.textContent('[data-testid=peer-accepted]'))).toBe(ROUNDS);

		// Each honest peer earns its accepted tokens (sized by its speed) at the price; the poisoner earns nothing.
		let paidMicro = 0;
		for (const name of ['remy', 'dana', 'mallory'] as const) {
			const tokens = Number((await participant(host.page, name).locator('[data-testid=accepted-tokens]').textContent())!.replace(/,/g, ''));
			const expected = Math.round((tokens / 1000) * PRICE_PER_K_TOKEN * MICRO);
			if (name === 'mallory') expect(tokens).toBe(0);
			else expect(tokens).toBeGreaterThanOrEqual(ROUNDS * (STEPS / 4) * BATCH * CONTEXT);
			paidMicro += expected;
			await waitFor(async () => (await pageBalanceMicro(peers[name])) === expected || undefined, {
				timeoutMs: 30_000,
				message: `${name}'s balance to be ${expected / MICRO} cr (${tokens} accepted tokens)`,
				describe: async () => `${name}: ${(await pageBalanceMicro(peers[name])) ?? '?'} µcr; ${await describeHost(host.page)}`
			});
		}
		// The host's page agrees: what was paid, and the rest of the budget refunded on ending.
		const status = (await hostStatus(host.page).textContent()) ?? '';
		const shown = /Paid ([\d.]+) cr; ([\d.]+) cr refunded to you/.exec(status);
		expect(shown, status).not.toBeNull();
		expect(Math.round(Number(shown![1]) * MICRO)).toBe(paidMicro);
		expect(Math.round(Number(shown![2]) * MICRO)).toBe(BUDGET_CREDITS * MICRO - paidMicro);

		// The receipts carried each peer's own signed update, so the relay took them; the
		// poisoner's rejections (in rounds that paid the others) count once for the session.
		const rejections = async (app: (typeof peers)[keyof typeof peers]) =>
			(await getJson<Trust>(relay, `/accounts/${await pageKey(app)}/trust`)).events.filter((e) => e.kind === 'rejected-delta');
		expect(await rejections(mallory)).toHaveLength(1);
		expect(await rejections(dana)).toEqual([]);
		expect(await rejections(remy)).toEqual([]);
	});
});
