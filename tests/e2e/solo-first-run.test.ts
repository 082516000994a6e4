// The README's first run, scripted literally on one machine with one browser: open the app, press
// Get 50.00 starter credits, render a fractal on Jobs with the form as it comes, press Contribute
// from this browser on the job page, open the second-device link it shows in a private window
// (a new browser context: its own storage, so its own key), and download the PNG once every tile
// is verified. Every tile must come from the two keys, and the PNG must equal the CPU twin's.
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { describeJob, downloadPng, pageKey, renderInNode, sameBytes, scenario, waitFor, waitJobCompleted, type AppPage } from './harness';

const JOB_DONE_MS_MAX = 300_000;

const status = (page: Page) => page.getAttribute('[data-testid=job-status]', 'data-waiting', { timeout: 5_000 });

test('one browser follows the README: starter credits, a render, this browser and a private window, the PNG', async () => {
	await scenario({}, async ({ relay, browser, diag }) => {
		// One browser window: the app's home page.
		const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
		const page = await context.newPage();
		page.setDefaultTimeout(30_000);
		diag.watch('window', page);
		await page.goto(relay.url, { waitUntil: 'load' });
		const me: AppPage = { label: 'window', context, page };
		const key = await pageKey(me);

		// Get 50.00 starter credits, then Jobs, then Render with the form as it comes.
		await page.getByRole('button', { name: /Get 50\.00 starter credits/ }).click();
		await page.waitForSelector('[data-testid=grant-button]', { state: 'detached' });
		await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
		await page.waitForSelector('[data-testid=submit-job]:not([disabled])', { timeout: 60_000 });
		await page.click('[data-testid=submit-job]');
		await page.waitForURL(/\/jobs\/[^/]+$/);
		const jobId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');

		// The job page says what it needs and offers the two devices.
		await waitFor(async () => (await status(page)) === 'contributors' || undefined, { timeoutMs: 30_000, message: 'job page: waiting for contributors' });
		expect(await page.textContent('[data-testid=job-workers]')).toMatch(/checked by 2 independent devices/);
		const [contributeTab] = await Promise.all([context.waitForEvent('page'), page.click('[data-testid=contribute-here]')]);
		diag.watch('contribute tab', contributeTab);
		await waitFor(async () => (await status(page)) === 'second-device' || undefined, {
			timeoutMs: 90_000,
			message: 'job page: waiting for a second device once this browser contributes',
			describe: async () => (await page.textContent('[data-testid=job-status]')) ?? ''
		});

		// The second device: the link the page shows, in a private window.
		const link = ((await page.textContent('[data-testid=second-device-link]')) ?? '').trim();
		expect(link).toBe(`${relay.url}/contribute?autostart=1`);
		const privateWindow = await browser.newContext({ viewport: { width: 1280, height: 900 } });
		const second = await privateWindow.newPage();
		diag.watch('private window', second);
		await second.goto(link, { waitUntil: 'load' });
		const secondKey = await pageKey({ label: 'private window', context: privateWindow, page: second });
		expect(secondKey, 'a private window has a key of its own').not.toBe(key);

		const detail = await waitJobCompleted(relay, jobId, JOB_DONE_MS_MAX);
		console.log(describeJob(detail));
		for (const task of detail.tasks) {
			expect(task.state, `tile ${task.idx}`).toBe('accepted');
			expect(new Set(task.results.map((r) => r.worker)), `tile ${task.idx}: this browser and the private window`).toEqual(new Set([key, secondKey]));
		}
		await page.waitForSelector('[data-testid=job-status]:has-text("Complete")', { timeout: 30_000 });
		const devices = await page.textContent('[data-testid=job-devices]');
		expect(devices, 'both devices listed on the job page').toMatch(/\(this browser\)/);
		expect(await page.locator('[data-testid=job-devices] li').count()).toBe(2);

		// Download PNG: byte-identical to the CPU twin's render in Node; the preview shows every tile.
		const png = await downloadPng(me);
		expect(sameBytes(png, renderInNode(detail.job.spec)), 'downloaded PNG vs the CPU twin in Node').toBeNull();
		expect(Number(await page.getAttribute('[data-testid=job-canvas]', 'data-tiles-drawn')), 'tiles drawn on the job page').toBe(detail.tasks.length);
	});
});
