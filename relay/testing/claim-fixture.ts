import { afterAll, beforeAll } from 'vitest';
import type { JobSummary } from '../../src/lib/protocol/jobs.js';
import type { Lease } from '../../src/lib/protocol/leases.js';
import type { RelayConfig } from '../config.js';
import type { Relay } from '../server.js';
import { ApiClient } from './api-client.js';
import { NodeSigner } from './node-signer.js';
import { startTestRelay } from './test-relay.js';

export interface ClaimFixture {
	readonly relay: Relay;
	/** A fresh key. */
	client(): ApiClient;
	/** One mandelbrot lease for `c`, or none. */
	take(c: ApiClient): Promise<Lease[]>;
	/** A mandelbrot job of `spec` from the funded requester. */
	job(ref: string): Promise<JobSummary>;
	cancel(job: JobSummary): Promise<void>;
}

/** A test relay for one describe block with a funded requester: the scaffolding of claim tests. */
export function claimFixture(overrides: Partial<RelayConfig>, spec: Record<string, unknown>): ClaimFixture {
	let relay: Relay | undefined;
	let requester: ApiClient;
	beforeAll(async () => {
		relay = await startTestRelay(overrides);
		requester = new ApiClient(relay.url, new NodeSigner());
		await requester.post('/grants/demo', {});
	});
	afterAll(async () => {
		await relay?.close();
	});
	const started = (): Relay => {
		if (!relay) throw new Error('the fixture relay is not started yet (use it inside a test)');
		return relay;
	};
	return {
		get relay() {
			return started();
		},
		client: () => new ApiClient(started().url, new NodeSigner()),
		take: async (c) => (await c.claim({ maxTasks: 1, kernels: ['mandelbrot'] })).body.leases,
		job: async (ref) => (await requester.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec, budgetMicro: 5_000_000, clientRef: ref })).body,
		cancel: async (job) => void (await requester.post(`/jobs/${job.id}/cancel`, {}))
	};
}
