// The kernel contract end to end through the real relay, with the test kernel that was added as
// nothing but a folder and its registry lines (src/lib/kernels/sum-squares): the relay knows it
// from the registry alone, two keys compute its ranges on the CPU twin through the compute
// registry and agree, and the requester assembles the exact sum from the accepted bytes.
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOnCpu } from '../../src/lib/kernels/compute-registry.js';
import { getKernel } from '../../src/lib/kernels/registry.js';
import type { EstimateResponse, JobDetail, JobSummary } from '../../src/lib/protocol/jobs.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import { API_PREFIX } from '../../src/lib/protocol/version.js';
import { checkInvariants } from '../ledger/invariants.js';
import type { Relay } from '../server.js';
import { ApiClient, submitReplicas } from '../testing/api-client.js';
import { NodeSigner } from '../testing/node-signer.js';
import { startTestRelay } from '../testing/test-relay.js';

const KERNEL = 'sum-squares';
/** Three ranges: 0..1000, 1000..2000, 2000..2500. */
const SPEC = { from: 0, to: 2_500, chunk: 1_000 };
/** Σ k² for 0 ≤ k < 2500 = 2499 · 2500 · 4999 / 6. */
const SUM = ((2499n * 2500n * 4999n) / 6n).toString();

let relay: Relay;
const client = () => new ApiClient(relay.url, new NodeSigner());

beforeAll(async () => {
	relay = await startTestRelay();
});
afterAll(async () => {
	await relay?.close();
});

async function taskResult(jobId: string, idx: number): Promise<Uint8Array> {
	const res = await fetch(`${relay.url}${API_PREFIX}/jobs/${jobId}/tasks/${idx}/result`);
	expect(res.status).toBe(200);
	return new Uint8Array(await res.arrayBuffer());
}

describe('a kernel registered by its folder and registry lines', () => {
	it('is listed, priced, split, computed by two agreeing keys, paid and assembled', async () => {
		const kernel = getKernel(KERNEL);
		if (!kernel) throw new Error(`${KERNEL} is not registered`);
		const requester = client();
		expect((await requester.post('/grants/demo', {})).status).toBe(201);

		const info = (await requester.get<{ kernels: { id: string; version: number; verification: string }[] }>('/info')).body;
		expect(info.kernels).toContainEqual({ id: KERNEL, version: 1, verification: 'exact' });
		const estimate = (await requester.post<EstimateResponse>('/jobs/estimate', { kernel: KERNEL, spec: SPEC })).body;
		expect(estimate).toMatchObject({ tasks: 3, perResultMicro: [1] });
		const bad = await requester.post<{ error: { code: string } }>('/jobs/estimate', { kernel: KERNEL, spec: { ...SPEC, to: 0 } });
		expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_spec']);

		const created = await requester.post<JobSummary>('/jobs', { kernel: KERNEL, spec: SPEC, budgetMicro: estimate.estimateMicro, clientRef: 'sum-squares-1' });
		expect(created.status).toBe(201);
		const job = created.body;
		expect(job).toMatchObject({ kernel: KERNEL, kernelVersion: 1, tasks: 3, state: 'running' });

		const [a, b] = [client(), client()];
		const entries: [ApiClient, Lease, Uint8Array][] = [];
		for (const w of [a, b]) {
			const leases = (await w.claim({ maxTasks: 3, kernels: [KERNEL] })).body.leases.filter((l) => l.jobId === job.id);
			expect(leases.map((l) => l.kernel)).toEqual([KERNEL, KERNEL, KERNEL]);
			for (const lease of leases) {
				const out = await computeOnCpu(lease.kernel, lease.kernelVersion, lease.params);
				expect(out.states).toBeNull();
				entries.push([w, lease, out.bytes]);
			}
		}
		for (const res of await submitReplicas(entries)) expect(res.status).toBe(200);

		const detail = (await requester.get<JobDetail>(`/jobs/${job.id}`)).body;
		expect(detail.job.state).toBe('completed');
		expect(detail.job.paidMicro).toBe(2 * 3);
		for (const t of detail.tasks) {
			expect(t.state).toBe('accepted');
			expect(new Set(t.results.filter((r) => r.verdict === 'agreed').map((r) => r.worker))).toEqual(new Set([a.key, b.key]));
		}
		expect(await checkInvariants(relay.ctx.db)).toEqual([]);

		const results = new Map<number, Uint8Array>();
		for (const t of detail.tasks) results.set(t.idx, await taskResult(job.id, t.idx));
		const result = kernel.requester.assemble(v.parse(kernel.specSchema, detail.job.spec), results);
		expect(result).toEqual({ from: 0, to: 2_500, sum: SUM });
		expect((await kernel.requester.render(result)).summary).toBe(`Σ k² for 0 ≤ k < 2500 = ${SUM}`);
	});
});
