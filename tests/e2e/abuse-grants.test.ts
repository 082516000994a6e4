// Issue 14, finding 1, as a person meets it: once this network has used its starter-grant
// allowance, a new browser's "Get starter credits" says so in words (whose allowance, when more
// come), and nothing is granted; the first browser's credits are untouched.
import { expect, test } from 'vitest';
import type { Account } from '../../src/lib/protocol/index.js';
import { getAccount, openAppPage, pageKey, scenario, waitFor } from './harness';

test('a second browser on a network that used its allowance is told why it gets no starter credits', async () => {
	await scenario({ GRANTS_PER_ADDRESS: '1' }, async ({ relay, browser, diag }) => {
		const first = await openAppPage(browser, diag, 'first', relay.url);
		await pageKey(first);
		await first.page.click('[data-testid=grant-button]');
		await first.page.waitForSelector('[data-testid=grant-button]', { state: 'detached' });

		const second = await openAppPage(browser, diag, 'second', relay.url);
		const key = await pageKey(second);
		await second.page.click('[data-testid=grant-button]');
		const banner = second.page.locator('.banner[role=alert]');
		await waitFor(async () => ((await banner.textContent({ timeout: 5_000 }).catch(() => '')) ?? '').includes('No starter credits for now'), {
			timeoutMs: 15_000,
			message: 'second page: a banner saying why no starter credits were given'
		});
		expect((await banner.textContent())?.trim()).toMatch(
			/^No starter credits for now: your network \(127\.0\.0\.1\) has already received 1 starter grant, the most one address gets every 24 h; more are given in \d+ (h|min)( \d+ min)?\.$/
		);
		// Nothing was granted, so the button stays for later.
		expect(await second.page.locator('[data-testid=grant-button]').count()).toBe(1);
		const account = await getAccount(relay, key).catch(() => null as Account | null);
		expect(account?.balanceMicro ?? 0).toBe(0);
	});
});
