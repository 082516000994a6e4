// Every job finishes with a device slower than the lease: one contributor is forced onto WebGPU,
// which here is SwiftShader (a software adapter, many times slower than the CPU twin), so each of
// its tiles takes longer than the relay's lease; the other runs the CPU twin and finishes in well
// under a second. Before leases fitted the device, the fast key's commitments lapsed while the
// slow one computed, neither key could take those tiles again, and the job stalled forever. Now
// the slow device's leases last as long as its measured speed needs, the fast device's
// commitments stay alive while it waits, and the job completes: every tile accepted by both
// keys, the money exact.
import { expect, test } from 'vitest';
import {
	contributeUrl,
	describeJob,
	expectMoneySettled,
	getJson,
	openAppPage,
	pageKey,
	requestJobThroughPage,
	scenario,
	waitContributing,
	waitFor,
	waitJobCompleted,
	type JobForm
} from './harness';

/** The relay's lease: shorter than one of SwiftShader's tiles here (measured in the test). */
const LEASE_MS = 3_000;
/** 2 × 2 tiles of 64² deep enough in the set that SwiftShader takes several seconds each. */
const FORM: JobForm = { centerRe: '-0.1', centerIm: '0.0', zoom: '6', width: 128, height: 128, maxIter: 4000, tile: 64 };
const TASKS = 4;
const JOB_DONE_MS_MAX = 400_000;

test('a job with a contributor slower than the lease and a fast one completes, every tile agreed by both', async () => {
	await scenario({ LEASE_MS: String(LEASE_MS) }, async ({ relay, browser, diag }) => {
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

		await expectMoneySettled({ relay, detail, requesterKey, requesterBalanceBeforeMicro: requested.balanceBeforeMicro, workerKeys: [slowKey, fastKey] });
		const activity = await getJson<{ devices: { key: string; done: number }[] }>(relay, `/jobs/${requested.id}/activity`);
		expect(new Set(activity.devices.map((d) => d.key))).toEqual(new Set([slowKey, fastKey]));
		await requester.page.waitForSelector('[data-testid=job-status]:has-text("Complete")', { timeout: 30_000 });
	});
});
