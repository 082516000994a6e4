// Issue 14, finding 2 (lease hoarding), as a contributor sees it: many keys from one public
// address may hold at most the network's bound between them. Here the bound is 2 and another key
// on the page's network holds both; the contribute page in real Chromium says so in words ("not
// taking more work: devices on this network … hold 2 tasks") instead of "no open tasks", and
// computes as soon as the other key's leases are done.
import * as v from 'valibot';
import { expect, test } from 'vitest';
import type { ClaimResponse, Lease } from '../../src/lib/protocol/leases.js';
import type { JobSummary } from '../../src/lib/protocol/jobs.js';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import { ApiClient } from '../../relay/testing/api-client.js';
import { NodeSigner } from '../../relay/testing/node-signer.js';
import { contributeUrl, scenario, waitContributing, waitFor } from './harness';

/** Eight shallow 64² tiles. */
const SPEC = { centerRe: '-0.5', centerIm: '0', zoom: '1', width: 512, height: 64, maxIter: 30, tile: 64 };
const NETWORK_MAX = 2;

const clientOn = (url: string, address: string) => {
	const c = new ApiClient(url, new NodeSigner());
	c.headers = { 'x-forwarded-for': address };
	return c;
};

test('a page whose network holds its bound says so, and computes once the other key’s work is done', async () => {
	await scenario({ TRUST_PROXY: '1', LEASES_PER_NETWORK_MAX: String(NETWORK_MAX) }, async ({ relay, browser, diag }) => {
		const requester = clientOn(relay.url, '192.0.2.10');
		expect((await requester.post('/grants/demo', {})).status).toBe(201);
		const est = await requester.post<{ estimateMicro: number }>('/jobs/estimate', { kernel: 'mandelbrot', spec: SPEC });
		const job = await requester.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: est.body.estimateMicro, clientRef: 'network-bound' });
		expect(job.status).toBe(201);

		// Another key behind the page's address takes the network's whole bound.
		const neighbour = clientOn(relay.url, '203.0.113.9');
		const held = (await neighbour.claim({ maxTasks: 16, kernels: ['mandelbrot'] })).body as ClaimResponse;
		expect(held.leases).toHaveLength(NETWORK_MAX);
		expect(held.limit?.code).toBe('network_window');

		const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': '203.0.113.50' } });
		const page = await context.newPage();
		diag.watch('same network', page);
		await page.goto(contributeUrl(relay, { workers: 1, backend: 'cpu' }), { waitUntil: 'load', timeout: 60_000 });
		const app = { label: 'same network', context, page };
		await waitContributing(app);
		const status = () => page.textContent('[data-testid=work-status]', { timeout: 10_000 }).then((s) => (s ?? '').trim());
		const computed = async () => Number(await page.getAttribute('[data-testid=tasks-done]', 'data-computed', { timeout: 10_000 }));
		const said = await waitFor(async () => ((await status()).startsWith('not taking more work') ? status() : undefined), {
			timeoutMs: 60_000,
			message: 'the page to say why it takes no work',
			describe: async () => `status: "${await status()}"`
		});
		expect(said).toMatch(/devices on this network \(one shared address\) hold 2 tasks, the most one network may hold at once/);
		expect(said).not.toMatch(/no open tasks/);
		expect(await computed()).toBe(0);

		// The neighbour finishes its two; the page's next claim gets work.
		for (const l of held.leases as Lease[]) expect((await neighbour.commit(l, computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, l.params)))).ok).toBe(true);
		await waitFor(async () => ((await computed()) > 0 ? true : undefined), {
			timeoutMs: 60_000,
			message: 'the page to compute once its network has room',
			describe: async () => `status: "${await status()}"`
		});
	});
});
