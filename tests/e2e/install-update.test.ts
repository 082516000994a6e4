// The app installs and updates like a native one, in real Chromium: the manifest and service
// worker pass Chromium's own installability checks (read over the DevTools protocol), and when a
// new version is deployed the page offers a reload instead of swapping code under a running
// contributor; the reload brings the new version in.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { expect, test } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium.js';
import { REPO_ROOT, scenario } from './harness';

test('the app passes Chromium’s installability checks and offers a reload when a new version is deployed', async () => {
	// A copy of the build, so a "deploy" can change it under the running relay.
	const site = mkdtempSync(join(tmpdir(), 'mycelia-site-'));
	cpSync(join(REPO_ROOT, 'build'), site, { recursive: true });
	try {
		await scenario({ STATIC_DIR: site }, async ({ relay, diag }) => {
			// A real profile on disk: Chromium never offers to install from an incognito context.
			const context = await chromium.launchPersistentContext(join(site, '.profile'), { executablePath: chromiumPath(), args: chromiumArgs({ webgpu: false }) });
			const page = context.pages()[0] ?? (await context.newPage());
			diag.watch('install', page);
			await page.goto(`${relay.url}/`, { waitUntil: 'load' });
			await page.waitForFunction(() => navigator.serviceWorker?.controller?.state === 'activated', undefined, { timeout: 60_000 });

			const cdp = await context.newCDPSession(page);
			const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: { message: string }[]; data?: string };
			expect(manifest.errors, 'manifest parse errors').toEqual([]);
			expect(manifest.url).toMatch(/manifest\.webmanifest$/);
			const parsed = JSON.parse(manifest.data ?? '{}') as { icons: { sizes: string; purpose?: string }[]; display: string };
			expect(parsed.display).toBe('standalone');
			expect(parsed.icons.map((i) => `${i.sizes}${i.purpose === 'maskable' ? ' maskable' : ''}`).sort()).toEqual(['192x192', '512x512', '512x512 maskable']);
			const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
			expect(installabilityErrors.map((e) => e.errorId), 'Chromium installability errors').toEqual([]);

			// Deploy a new version: a different service worker script at the same URL.
			const swPath = join(site, 'sw.js');
			writeFileSync(swPath, `${readFileSync(swPath, 'utf8')}\n// deployed ${Date.now()}\n`);
			await page.evaluate(async () => {
				const registration = await navigator.serviceWorker.getRegistration();
				await registration?.update();
			});
			await page.waitForSelector('[data-testid=update-banner]', { timeout: 60_000 });
			const before = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? '');
			const waitingBefore = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting !== null);
			expect(waitingBefore, 'the new worker waits for the user instead of taking over').toBe(true);
			await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.click('[data-testid=update-reload]')]);
			await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.waiting === null, undefined, { timeout: 30_000 });
			expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? '')).toBe(before);
			expect(await page.locator('[data-testid=update-banner]').count(), 'no banner once updated').toBe(0);
			await context.close();
		});
	} finally {
		rmSync(site, { recursive: true, force: true });
	}
});
