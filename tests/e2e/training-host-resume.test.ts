// The host's page reloads mid-session: the session resumes from its IndexedDB checkpoint (the
// adapter, outer momentum, round count, history and participants), the peers find the host again
// under its new mesh id, and training runs on to the end from where it stood.
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { openAppPage, scenario, waitFor, type AppPage } from './harness';

const ROUNDS = 3;

const hostStatus = (page: Page) => page.locator('[data-testid=host-status]');
const hostRound = async (page: Page) => Number(await hostStatus(page).getAttribute('data-round'));
const describeHost = async (page: Page) =>
	`host: "${(await hostStatus(page).textContent().catch(() => '?'))?.trim()}"; errors: ${(await page.locator('[role=alert]').allTextContents()).join(' | ') || 'none'}; participants: ${(await page.locator('[data-testid=participants]').innerText().catch(() => '?')).replace(/\s+/g, ' ')}`;

test('a host that reloads mid-session resumes from its checkpoint and its peers rejoin', async () => {
	await scenario({}, async ({ relay, browser, diag }) => {
		const host = await openAppPage(browser, diag, 'host', `${relay.url}/train?mode=host`);
		await host.page.fill('input[type=number] >> nth=0', String(ROUNDS));
		await host.page.fill('input[type=number] >> nth=1', '8');
		await host.page.fill('input[type=number] >> nth=2', '4');
		await host.page.click('[data-testid=host-open]');
		const code = (await host.page.textContent('[data-testid=join-code]', { timeout: 60_000 }))!.trim();
		const initialLoss = Number(await hostStatus(host.page).getAttribute('data-initial-loss'));

		const peers: AppPage[] = [];
		for (const name of ['ann', 'ben']) {
			const p = await openAppPage(browser, diag, name, `${relay.url}/train?code=${code}&name=${name}`);
			await p.page.click('[data-testid=join-submit]');
			peers.push(p);
		}
		await waitFor(async () => (await host.page.locator('[data-testid=participant]').count()) === 2, { timeoutMs: 60_000, message: 'the host to list both peers', describe: () => describeHost(host.page) });
		// Not a demonstration: no peer is offered an attack.
		for (const p of peers) {
			await p.page.waitForSelector('[data-testid=peer-status][data-state=waiting]', { timeout: 60_000 });
			expect(await p.page.locator('[data-testid=peer-attack]').count()).toBe(0);
		}
		await host.page.click('[data-testid=host-start]');
		await waitFor(async () => (await hostRound(host.page)) >= 1, { timeoutMs: 120_000, message: 'round 1 to close', describe: () => describeHost(host.page) });
		const lossBefore = Number(await hostStatus(host.page).getAttribute('data-loss'));

		await host.page.reload({ waitUntil: 'load' });
		await host.page.click('[data-testid=host-resume]', { timeout: 30_000 });
		await waitFor(async () => (await host.page.textContent('[data-testid=join-code]'))?.trim() === code, { timeoutMs: 60_000, message: 'the resumed session to show its join code', describe: () => describeHost(host.page) });
		expect(await hostRound(host.page)).toBeGreaterThanOrEqual(1);
		expect(Number(await hostStatus(host.page).getAttribute('data-loss'))).toBeCloseTo(lossBefore, 6);
		await waitFor(async () => (await host.page.locator('[data-testid=participant] >> text=ready').count()) === 2, {
			timeoutMs: 120_000,
			message: 'both peers to find the resumed host',
			describe: async () => `${await describeHost(host.page)}; peers: ${(await Promise.all(peers.map((p) => p.page.textContent('[data-testid=peer-status]')))).join(' | ')}`
		});
		await host.page.click('[data-testid=host-start]');
		await waitFor(async () => (await hostStatus(host.page).getAttribute('data-state')) === 'ended', { timeoutMs: 240_000, message: 'the resumed session to end', describe: () => describeHost(host.page) });
		expect(await hostRound(host.page)).toBe(ROUNDS);
		expect(Number(await hostStatus(host.page).getAttribute('data-loss'))).toBeLessThan(initialLoss);
		for (const name of ['ann', 'ben']) {
			const accepted = Number(await host.page.locator(`[data-testid=participant][data-nickname=${name}] [data-testid=accepted]`).textContent());
			expect(accepted, await describeHost(host.page)).toBe(ROUNDS);
		}
	});
});
