// A classroom session end to end in real Chromium over real WebRTC: a host page and three peers
// (one sending sign-flipped deltas), a fourth that joins late and a peer that closes its page
// mid-round. The session runs to its end: validation loss falls, the attacker is rejected every
// round it takes part in, the closed page does not stall its round, the late joiner contributes.
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { openAppPage, scenario, waitFor, type AppPage } from './harness';

const ROUNDS = 4;
const STEPS = 32;
/** Long enough that a closed peer would be obvious: a round that waited for it would take this long. */
const ROUND_SECONDS = 120;

const hostStatus = (page: Page) => page.locator('[data-testid=host-status]');
const hostRound = async (page: Page) => Number(await hostStatus(page).getAttribute('data-round'));
const rejections = async (page: Page) => ((await page.locator('[data-testid=rejection-log] li').allTextContents()).join(' | ') || 'none');
const describeHost = async (page: Page) =>
	`host: "${(await hostStatus(page).textContent())?.trim()}"; errors: ${(await page.locator('[role=alert]').allTextContents()).join(' | ') || 'none'}; participants: ${(await page.locator('[data-testid=participants]').innerText()).replace(/\s+/g, ' ')}; rejected: ${await rejections(page)}`;

async function row(page: Page, nickname: string): Promise<{ accepted: number; rejected: number; text: string }> {
	const r = page.locator(`[data-testid=participant][data-nickname="${nickname}"]`);
	return { accepted: Number(await r.locator('[data-testid=accepted]').textContent()), rejected: Number(await r.locator('[data-testid=rejected]').textContent()), text: (await r.innerText()).replace(/\s+/g, ' ') };
}

async function join(app: AppPage, host: Page): Promise<void> {
	await app.page.click('[data-testid=join-submit]');
	await waitFor(async () => /waiting|training/.test((await app.page.textContent('[data-testid=peer-status]')) ?? ''), {
		timeoutMs: 60_000,
		message: `${app.label} to join the session`,
		describe: async () => `${app.label}: ${await app.page.textContent('[data-testid=peer-status]', { timeout: 2_000 }).catch(() => '?')}; ${await describeHost(host)}`
	});
}

test('a host and its peers train to the end: loss falls, poison is rejected, a dropped peer does not stall, a late joiner contributes', async () => {
	await scenario({}, async ({ relay, browser, diag }) => {
		const host = await openAppPage(browser, diag, 'host', `${relay.url}/train?mode=host`);
		await host.page.fill('input[type=number] >> nth=0', String(ROUNDS));
		await host.page.fill('input[type=number] >> nth=1', String(STEPS));
		await host.page.fill('input[type=number] >> nth=2', '4');
		await host.page.fill('input[type=number] >> nth=3', String(ROUND_SECONDS));
		// A classroom demonstration: only then may a peer choose to send poisoned updates.
		await host.page.check('[data-testid=host-demonstration]');
		await host.page.click('[data-testid=host-open]');
		const code = (await host.page.textContent('[data-testid=join-code]', { timeout: 60_000 }))!.trim();
		expect(code).toMatch(/^[2-9A-Z]{6}$/);
		const initialLoss = Number(await hostStatus(host.page).getAttribute('data-initial-loss'));
		expect(initialLoss).toBeGreaterThan(1);

		const peerUrl = (name: string) => `${relay.url}/train?code=${code}&name=${name}`;
		const alice = await openAppPage(browser, diag, 'alice', peerUrl('alice'));
		const bob = await openAppPage(browser, diag, 'bob', peerUrl('bob'));
		const mallory = await openAppPage(browser, diag, 'mallory', peerUrl('mallory'));
		for (const p of [alice, bob, mallory]) await join(p, host.page);
		// Mallory picks the attack the host's demonstration offers, as a student would.
		await mallory.page.selectOption('[data-testid=peer-attack]', 'sign-flip');
		await mallory.page.waitForSelector('[data-testid=peer-attacking]');
		await waitFor(async () => (await host.page.locator('[data-testid=participant]').count()) === 3, { timeoutMs: 30_000, message: 'the host to list three participants', describe: () => describeHost(host.page) });
		await host.page.click('[data-testid=host-start]');

		await waitFor(async () => (await hostRound(host.page)) >= 1, { timeoutMs: 180_000, message: 'round 1 to close', describe: () => describeHost(host.page) });
		// Carol joins late: round 2 is already out, so her first work is round 3.
		const carol = await openAppPage(browser, diag, 'carol', peerUrl('carol'));
		await join(carol, host.page);

		// Bob closes his page while he trains a round (2 or later); it closes without him, long before its deadline.
		const bobRound = await waitFor(
			async () => {
				const m = /training round (\d+)/.exec((await bob.page.textContent('[data-testid=peer-status]')) ?? '');
				return m && Number(m[1]) >= 2 && Number(m[1]) < ROUNDS ? Number(m[1]) : undefined;
			},
			{ timeoutMs: 120_000, message: 'bob to be training a round after the first', describe: async () => `bob: ${await bob.page.textContent('[data-testid=peer-status]')}; ${await describeHost(host.page)}`, intervalMs: 100 }
		);
		const droppedAt = Date.now();
		await bob.context.close();
		await waitFor(async () => (await hostRound(host.page)) >= bobRound, { timeoutMs: 180_000, message: `round ${bobRound} to close without bob`, describe: () => describeHost(host.page) });
		const dropSeconds = (Date.now() - droppedAt) / 1000;
		expect(dropSeconds, `round ${bobRound} closed without waiting out its deadline for the closed page`).toBeLessThan(ROUND_SECONDS / 2);

		await waitFor(async () => (await hostStatus(host.page).getAttribute('data-state')) === 'ended', { timeoutMs: 240_000, message: 'the session to end', describe: () => describeHost(host.page) });
		const finalLoss = Number(await hostStatus(host.page).getAttribute('data-loss'));
		expect(finalLoss, 'validation loss after the session').toBeLessThan(initialLoss);

		const why = `; rejected updates: ${await rejections(host.page)}`;
		const a = await row(host.page, 'alice');
		const b = await row(host.page, 'bob');
		const m = await row(host.page, 'mallory');
		const c = await row(host.page, 'carol');
		expect(a.accepted, a.text + why).toBe(ROUNDS);
		expect(a.rejected, a.text + why).toBe(0);
		expect(m.accepted, m.text + why).toBe(0);
		expect(m.rejected, m.text + why).toBe(ROUNDS);
		expect(m.text).toMatch(/points away|canary/);
		expect(b.accepted, b.text + why).toBe(bobRound - 1);
		expect(b.text).toMatch(/left/);
		expect(c.accepted, c.text + why).toBeGreaterThanOrEqual(1);
		expect(c.rejected, c.text + why).toBe(0);
		// The peers saw the same verdicts.
		expect(Number(await mallory.page.textContent('[data-testid=peer-rejected]'))).toBe(ROUNDS);
		expect(Number(await alice.page.textContent('[data-testid=peer-accepted]'))).toBe(ROUNDS);
		expect((await host.page.textContent('[data-testid=host-sample]'))?.length).toBeGreaterThan(20);
	});
});
