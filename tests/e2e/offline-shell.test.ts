// Zero install, offline: once the service worker controls the page, the app shell loads with the
// browser offline and the relay gone, from a reload and from a fresh navigation to another route.
import { expect, test } from 'vitest';
import { ledgerProblems, openAppPage, scenario } from './harness';

test('after the service worker takes control, /contribute and /jobs load offline with the relay stopped', async () => {
	await scenario({}, async ({ relay, browser, diag }) => {
		// This relay runs without MYCELIA_TEST_HOOKS, so the lying-worker hook must be ignored.
		const app = await openAppPage(browser, diag, 'offline', `${relay.url}/contribute?fault=corrupt`);
		const { page } = app;
		await page.waitForSelector('[data-testid=contribute-toggle]:not([disabled])', { timeout: 30_000 });
		expect(await page.locator('[data-testid=fault-banner]').count(), '?fault=corrupt honoured without test hooks').toBe(0);
		// autoUpdate: the worker precaches, activates and claims the open page.
		await page
			.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated', undefined, { timeout: 60_000 })
			.catch((err: unknown) => {
				throw new Error(`the service worker never controlled /contribute: ${String(err)}`);
			});

		// Really offline: the relay is shut down as well as the context's network.
		await app.context.setOffline(true);
		expect(await relay.stop(), 'relay exit code after SIGTERM').toBe(0);

		const reloaded = await page.reload({ waitUntil: 'load', timeout: 30_000 });
		expect(reloaded?.fromServiceWorker(), 'the reload was answered by the service worker').toBe(true);
		await page.waitForSelector('[data-testid=contribute-toggle]', { timeout: 30_000 });
		expect(await page.textContent('h1')).toContain('Contribute your device');

		const jobs = await page.goto(`${relay.url}/jobs`, { waitUntil: 'load', timeout: 30_000 });
		expect(jobs?.fromServiceWorker(), 'navigating to /jobs offline was answered by the service worker').toBe(true);
		await page.waitForSelector('[data-testid=job-form]', { timeout: 30_000 });

		await browser.close();
		expect(await ledgerProblems(relay.dataDir)).toEqual([]);
	});
});
