// A render from request to download with a device slower than the lease: one contributor is
// forced onto WebGPU, which here is SwiftShader (a software adapter, many times slower than the
// CPU twin), so each of its tiles takes longer than the relay's lease; the other runs the CPU twin
// and finishes in well under a second. Before leases fitted the device, the fast key's
// commitments lapsed while the slow one computed, neither key could take those tiles again, and
// the job stalled forever. Now the slow device's leases last as long as its measured speed needs,
// the fast device's commitments stay alive while it waits, and the job completes: every tile
// accepted by both keys (WebGPU and the CPU twin agree bit for bit), the PNG byte-identical to
// the CPU twin's render in Node, the money exact on the API and on the pages, the books balanced
// on the health page and in the relay's data folder after a graceful shutdown.
import { expect, test } from 'vitest';
import {
	contributeUrl,
	describeJob,
	downloadPng,
	expectMoneySettled,
	getAccount,
	getJson,
	ledgerProblems,
	openAppPage,
	pageBalanceMicro,
	pageKey,
	renderInNode,
	requestJobThroughPage,
	sameBytes,
	scenario,
	tasksDone,
	waitContributing,
	waitFor,
	waitJobCompleted,
	type JobForm
} from './harness';

/** The relay's lease: shorter than one of SwiftShader's tiles here (measured in the test). */
const LEASE_MS = 1_500;
/** The relay reconciles its books this often here, so the health page soon shows a reconciliation of the finished job. */
const RECONCILE_MS = 2_000;
/**
 * Two tiles of 64² inside the main cardioid, the right one touching its cusp: nearly every pixel
 * runs all 5,000 iterations, so SwiftShader takes several seconds a tile even on a fast machine
 * (the CPU twin a fraction of one), and the two tiles differ.
 */
const FORM: JobForm = { centerRe: '-0.1', centerIm: '0.0', zoom: '4', width: 128, height: 64, maxIter: 5000, tile: 64 };
const TASKS = 2;
const JOB_DONE_MS_MAX = 400_000;

test('a job with a contributor slower than the lease and a fast one completes, every tile agreed by both', async () => {
	await scenario({ LEASE_MS: String(LEASE_MS), RECONCILE_INTERVAL_MS: String(RECONCILE_MS) }, async ({ relay, browser, diag }) => {
		const requester = await openAppPage(browser, diag, 'requester', `${relay.url}/jobs`);
		const requesterKey = await pageKey(requester);
		const requested = await requestJobThroughPage(requester, FORM);

		const slow = await openAppPage(browser, diag, 'slow', contributeUrl(relay, { workers: 1, backend: 'webgpu' }));
		const fast = await openAppPage(browser, diag, 'fast', contributeUrl(relay, { workers: 1, backend: 'cpu' }));
		const [slowKey, fastKey] = [await pageKey(slow), await pageKey(fast)];
		expect((await waitContributing(slow)).backend, 'the slow page runs on WebGPU (SwiftShader)').toBe('webgpu');
		expect((await waitContributing(fast)).backend).toBe('cpu');

		// While only the fast device has results, the job page says what it waits for.
		await waitFor(async () => /computing|Waiting for a second device/i.test((await requester.page.textContent('[data-testid=job-status]')) ?? ''), {
			timeoutMs: 60_000,
			message: 'requester: the job status to name what the job waits for'
		});

		const detail = await waitJobCompleted(relay, requested.id, JOB_DONE_MS_MAX);
		console.log(describeJob(detail));
		for (const task of detail.tasks) {
			expect(task.state, `task ${task.idx}`).toBe('accepted');
			expect(task.results.map((r) => r.verdict), `task ${task.idx}`).toEqual(['agreed', 'agreed']);
			expect(new Set(task.results.map((r) => r.worker)), `task ${task.idx}: both keys`).toEqual(new Set([slowKey, fastKey]));
		}
		expect(detail.tasks).toHaveLength(TASKS);

		// The slow path was real: the slow page's tiles each took longer than the lease.
		const times = (await slow.page.$$eval('[data-testid=activity-log] li', (els) => els.map((e) => e.textContent ?? '')))
			.map((t) => /computed in (\d+) ms on WebGPU/.exec(t)?.[1])
			.filter((ms): ms is string => ms !== undefined)
			.map(Number);
		console.log(`slow device tile times (ms): ${times.join(', ')}; lease ${LEASE_MS} ms`);
		expect(times.length, 'tiles the slow page computed').toBeGreaterThanOrEqual(TASKS);
		expect(Math.min(...times), 'every SwiftShader tile took longer than the lease').toBeGreaterThan(LEASE_MS);

		const activity = await getJson<{ devices: { key: string; done: number }[] }>(relay, `/jobs/${requested.id}/activity`);
		expect(new Set(activity.devices.map((d) => d.key))).toEqual(new Set([slowKey, fastKey]));

		// The requester's page follows: progress full, status complete, the PNG byte-exact.
		await requester.page.waitForSelector(`[data-testid=job-progress][data-done="${TASKS}"][data-total="${TASKS}"]`, { timeout: 30_000 });
		await requester.page.waitForSelector('[data-testid=job-status]:has-text("Complete")', { timeout: 30_000 });
		const png = await downloadPng(requester);
		expect(sameBytes(png, renderInNode(detail.job.spec)), 'downloaded PNG vs the CPU twin rendered in Node').toBeNull();
		expect(Number(await requester.page.getAttribute('[data-testid=job-canvas]', 'data-tiles-drawn')), 'tiles drawn on the job canvas').toBe(TASKS);

		// Money: the API's view, then the pages' views of it.
		const { accounts } = await expectMoneySettled({ relay, detail, requesterKey, requesterBalanceBeforeMicro: requested.balanceBeforeMicro, workerKeys: [slowKey, fastKey] });
		for (const key of [slowKey, fastKey]) {
			const a = accounts.get(key);
			expect(a?.resultsAccepted, `${key.slice(0, 8)} accepted results`).toBe(TASKS);
			expect(a?.resultsRejected, `${key.slice(0, 8)} rejected results`).toBe(0);
			expect(a?.earnedMicro, `${key.slice(0, 8)} earned`).toBe(detail.job.paidMicro / 2);
		}
		expect(await tasksDone(slow)).toBe(TASKS);
		expect(await tasksDone(fast)).toBe(TASKS);
		const finalRequester = await getAccount(relay, requesterKey);
		await waitFor(async () => (await pageBalanceMicro(requester)) === finalRequester.balanceMicro, {
			timeoutMs: 30_000,
			message: `requester page: header balance to show the refunded balance ${finalRequester.balanceMicro}`,
			describe: async () => `header shows ${await pageBalanceMicro(requester)}`
		});
		await waitFor(async () => Number(await slow.page.getAttribute('[data-testid=credits-earned]', 'data-micro')) === accounts.get(slowKey)?.earnedMicro, {
			timeoutMs: 30_000,
			message: 'slow page: credits earned to match the relay'
		});
		// The job page's money panel followed live, without a reload.
		expect(Number(await requester.page.getAttribute('[data-testid=money-paid]', 'data-micro')), 'job page: paid to workers').toBe(detail.job.paidMicro);
		expect(Number(await requester.page.getAttribute('[data-testid=money-refunded]', 'data-micro')), 'job page: refunded').toBe(detail.job.refundedMicro);

		// The health page shows the relay's own reconciliation of the same books: one that ran after
		// the job's money moved (the page refreshes itself; Refresh asks for the latest sooner).
		const settledAt = Date.now();
		await requester.page.goto(`${relay.url}/health`);
		await waitFor(
			async () => {
				if (Number(await requester.page.getAttribute('[data-testid=health-reconciled-at]', 'data-at')) > settledAt) return true;
				await requester.page.click('text=Refresh');
				return undefined;
			},
			{ timeoutMs: 30_000, message: `health page: a reconciliation after ${new Date(settledAt).toISOString()}`, describe: async () => (await requester.page.textContent('main')) ?? '' }
		);
		expect(await requester.page.textContent('[data-testid=health-ok]')).toContain('Balanced');
		expect(await requester.page.$$eval('[data-testid=invariant][data-ok=false]', (els) => els.length)).toBe(0);
		expect(await requester.page.$$eval('[data-testid=invariant]', (els) => els.length)).toBeGreaterThanOrEqual(6);

		// Graceful shutdown, then the ledger's own invariant checker on the relay's data folder.
		await browser.close();
		expect(await relay.stop(), 'relay exit code after SIGTERM').toBe(0);
		expect(await ledgerProblems(relay.dataDir)).toEqual([]);
	});
});
