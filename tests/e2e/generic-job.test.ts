// A kernel with no page of its own (sum-squares, registered as nothing but its folder and registry
// lines) is shown by the generic job view in real Chromium: its title and units from its requester
// side, and once two Node workers have agreed on every range, "Download result" saves the exact sum
// that its requester side assembles from the verified bytes.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { ApiClient, submitReplicas } from '../../relay/testing/api-client.js';
import { NodeSigner } from '../../relay/testing/node-signer.js';
import { computeOnCpu } from '../../src/lib/kernels/compute-registry.js';
import type { JobSummary } from '../../src/lib/protocol/jobs.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { openAppPage, scenario, waitJobCompleted } from './harness';

const SPEC = { from: 10, to: 5_000, chunk: 2_000 };
/** Σ k² for 10 ≤ k < 5000: (n − 1)·n·(2n − 1) / 6 at 5000, less at 10. */
const SUM = ((4999n * 5000n * 9999n) / 6n - (9n * 10n * 19n) / 6n).toString();

test('the generic job view shows a kernel with no page of its own and downloads its assembled result', async () => {
	await scenario({}, async ({ relay, browser, diag }) => {
		const requester = new ApiClient(relay.url, new NodeSigner());
		expect((await requester.post('/grants/demo', {})).status).toBe(201);
		const est = await requester.post<{ estimateMicro: number }>('/jobs/estimate', { kernel: 'sum-squares', spec: SPEC });
		const created = await requester.post<JobSummary>('/jobs', { kernel: 'sum-squares', spec: SPEC, budgetMicro: est.body.estimateMicro, clientRef: 'generic-view-1' });
		expect(created.status).toBe(201);
		const job = created.body;

		const app = await openAppPage(browser, diag, 'viewer', `${relay.url}/jobs/${job.id}`);
		const { page } = app;
		await page.waitForSelector('h1:has-text("Sum of squares, 10 ≤ k < 5000")');
		await page.waitForSelector('[data-testid=job-progress][data-done="0"][data-total="3"]');
		expect(await page.textContent('[data-testid=job-progress]')).toContain('0 / 3 ranges verified');

		const entries: [ApiClient, Lease, Uint8Array][] = [];
		for (const w of [new ApiClient(relay.url, new NodeSigner()), new ApiClient(relay.url, new NodeSigner())]) {
			for (const lease of (await w.claim({ maxTasks: 3, kernels: ['sum-squares'] })).body.leases) {
				entries.push([w, lease, (await computeOnCpu(lease.kernel, lease.kernelVersion, lease.params)).bytes]);
			}
		}
		expect(entries).toHaveLength(6);
		for (const res of await submitReplicas(entries)) expect(res.status).toBe(200);
		await waitJobCompleted(relay, job.id, 30_000);

		await page.waitForSelector('[data-testid=job-state][data-state=completed]', { timeout: 30_000 });
		await page.waitForSelector('[data-testid=job-progress][data-done="3"]', { timeout: 30_000 });
		expect(await page.textContent('[data-testid=job-progress]')).toContain('3 / 3 ranges verified');
		const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('[data-testid=download-result]')]);
		expect(download.suggestedFilename()).toBe(`mycelia-${job.id}.json`);
		expect(JSON.parse(readFileSync(await download.path(), 'utf8'))).toEqual({ from: 10, to: 5_000, sum: SUM });
		expect(await page.textContent('[data-testid=result-summary]')).toBe(`Σ k² for 10 ≤ k < 5000 = ${SUM}`);
	});
});
