// A render job from request to download, all through real pages on the real relay: a requester
// claims credits and submits a Mandelbrot render; two contributors (one forced onto WebGPU, which
// here is SwiftShader and would otherwise lose its trial to the CPU twin; one forced onto the CPU
// twin) compute every tile; the relay accepts each tile only when both agree; the
// downloaded PNG is byte-identical to the CPU twin's render in Node; the money reconciles.
import { expect, test } from 'vitest';
import {
	contributeUrl,
	describeJob,
	downloadPng,
	expectMoneySettled,
	getAccount,
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

/** 4 × 2 tiles of 64²: small enough for SwiftShader and the CPU twin on two cores. */
const FORM: JobForm = { centerRe: '-0.6', centerIm: '0.0', zoom: '1.2', width: 256, height: 128, maxIter: 300, tile: 64 };
const TASKS = 8;
const JOB_DONE_MS_MAX = 240_000;

test('a job computed by a WebGPU page and a CPU page is verified, paid exactly and downloads byte-identical to the CPU twin', async () => {
	await scenario({ MYCELIA_TEST_HOOKS: '1' }, async ({ relay, browser, diag }) => {
		const requester = await openAppPage(browser, diag, 'requester', `${relay.url}/jobs`);
		const requesterKey = await pageKey(requester);
		const requested = await requestJobThroughPage(requester, FORM);

		const gpu = await openAppPage(browser, diag, 'gpu', contributeUrl(relay, { workers: 1, backend: 'webgpu' }));
		const cpu = await openAppPage(browser, diag, 'cpu', contributeUrl(relay, { workers: 1, backend: 'cpu' }));
		const gpuKey = await pageKey(gpu);
		const cpuKey = await pageKey(cpu);
		expect(new Set([requesterKey, gpuKey, cpuKey]).size, 'each browser context has its own key').toBe(3);

		const gpuBackend = await waitContributing(gpu);
		expect(gpuBackend.backend, `gpu page backend (${gpuBackend.backendText})`).toBe('webgpu');
		expect(gpuBackend.backendText).toMatch(/WebGPU/);
		const cpuBackend = await waitContributing(cpu);
		expect(cpuBackend.backend).toBe('cpu');
		expect(cpuBackend.backendText).toMatch(/CPU twin \(forced\)/);
		console.log(`backends: gpu page "${gpuBackend.backendText}", cpu page "${cpuBackend.backendText}"`);

		const detail = await waitJobCompleted(relay, requested.id, JOB_DONE_MS_MAX);
		console.log(describeJob(detail));

		// Every tile: accepted, exactly two agreeing results, from the two contributors.
		expect(detail.job.tasks).toBe(TASKS);
		expect(detail.tasks).toHaveLength(TASKS);
		for (const task of detail.tasks) {
			expect(task.state, `task ${task.idx}`).toBe('accepted');
			expect(task.results, `task ${task.idx} results`).toHaveLength(2);
			for (const r of task.results) {
				expect(r.verdict, `task ${task.idx} result of ${r.worker.slice(0, 8)}`).toBe('agreed');
				expect(r.sha256, `task ${task.idx}: the accepted hash`).toBe(task.acceptedHash);
			}
			expect(new Set(task.results.map((r) => r.worker)), `task ${task.idx}: computed by both contributors`).toEqual(new Set([gpuKey, cpuKey]));
		}

		// The requester's page follows: progress full, state completed, the PNG byte-exact.
		await requester.page.waitForSelector(`[data-testid=job-progress][data-done="${TASKS}"][data-total="${TASKS}"]`, { timeout: 30_000 });
		const png = await downloadPng(requester);
		const reference = renderInNode(detail.job.spec);
		const diff = sameBytes(png, reference);
		expect(diff, 'downloaded PNG vs the CPU twin rendered in Node').toBeNull();
		const tilesDrawn = await requester.page.getAttribute('[data-testid=job-canvas]', 'data-tiles-drawn');
		expect(Number(tilesDrawn), 'tiles drawn on the job canvas').toBe(TASKS);

		// Money: the API's view, then the pages' views of it.
		const { accounts } = await expectMoneySettled({
			relay,
			detail,
			requesterKey,
			requesterBalanceBeforeMicro: requested.balanceBeforeMicro,
			workerKeys: [gpuKey, cpuKey]
		});
		expect(requested.budgetMicro, 'budget the form submitted').toBe(detail.job.budgetMicro);
		for (const key of [gpuKey, cpuKey]) {
			const a = accounts.get(key);
			expect(a?.resultsAccepted, `${key.slice(0, 8)} accepted results`).toBe(TASKS);
			expect(a?.resultsRejected, `${key.slice(0, 8)} rejected results`).toBe(0);
			expect(a?.earnedMicro, `${key.slice(0, 8)} earned`).toBe(detail.job.paidMicro / 2);
		}
		expect(await tasksDone(gpu)).toBe(TASKS);
		expect(await tasksDone(cpu)).toBe(TASKS);
		const finalRequester = await getAccount(relay, requesterKey);
		await waitFor(async () => (await pageBalanceMicro(requester)) === finalRequester.balanceMicro, {
			timeoutMs: 30_000,
			message: `requester page: header balance to show the refunded balance ${finalRequester.balanceMicro}`,
			describe: async () => `header shows ${await pageBalanceMicro(requester)}`
		});
		await waitFor(async () => Number(await gpu.page.getAttribute('[data-testid=credits-earned]', 'data-micro')) === accounts.get(gpuKey)?.earnedMicro, {
			timeoutMs: 30_000,
			message: 'gpu page: credits earned to match the relay'
		});

		// The health page reconciles the same books live, through the relay.
		await requester.page.goto(`${relay.url}/health`);
		await requester.page.waitForSelector('[data-testid=health-ok]', { timeout: 30_000 });
		expect(await requester.page.textContent('[data-testid=health-ok]')).toBe('Balanced');
		expect(await requester.page.$$eval('[data-testid=invariant][data-ok=false]', (els) => els.length)).toBe(0);
		expect(await requester.page.$$eval('[data-testid=invariant]', (els) => els.length)).toBeGreaterThanOrEqual(6);

		// Graceful shutdown, then the ledger's own invariant checker on the relay's data folder.
		await browser.close();
		expect(await relay.stop(), 'relay exit code after SIGTERM').toBe(0);
		expect(await ledgerProblems(relay.dataDir)).toEqual([]);
	});
});
