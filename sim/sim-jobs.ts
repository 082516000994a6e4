// The requester side of a simulation: keeps a steady number of jobs running, small and large,
// of both kernels (an `exact` and a `bisect` one), so workers always have tasks to claim.
import type { JobSummary } from '../src/lib/protocol/jobs.js';
import type { Lease } from '../src/lib/protocol/leases.js';
import { priceTileMicro } from '../src/lib/kernels/mandelbrot/meta.js';
import { priceChainMicro } from '../src/lib/kernels/mc-pi/meta.js';
import type { ApiClient } from '../relay/testing/api-client.js';

/** Jobs kept running at once: enough open tasks for a few hundred workers (and fewer than one job list page). */
const RUNNING_JOBS = 24;
const POLL_MS = 300;
/** Job creations retried after a dropped connection, each POLL_MS apart. */
const CREATE_RETRIES_MAX = 10;

const MANDELBROT = (tile: 64 | 128, size: number) => ({ centerRe: '-0.5', centerIm: '0', zoom: '0.6', width: size, height: size / 2, maxIter: 16, tile });

export const JOB_SHAPES = {
	/** Cycled through in order: two small shapes for each large one. */
	specs: [
		(_seed: number) => ({ kernel: 'mandelbrot', spec: MANDELBROT(64, 512) }),
		(seed: number) => ({ kernel: 'mc-pi', spec: { seed, chains: 32, steps: 32, samplesPerStep: 1024 } }),
		(_seed: number) => ({ kernel: 'mandelbrot', spec: MANDELBROT(128, 512) }),
		(_seed: number) => ({ kernel: 'mandelbrot', spec: MANDELBROT(64, 512) }),
		(seed: number) => ({ kernel: 'mc-pi', spec: { seed, chains: 32, steps: 32, samplesPerStep: 1024 } }),
		(seed: number) => ({ kernel: 'mc-pi', spec: { seed, chains: 16, steps: 256, samplesPerStep: 1024 } })
	],
	/** Tasks priced at least this much are the large ones (128² tiles, 256-step chains). */
	largeTaskMicro: 20,
	priceOf(lease: Lease): number {
		const p = lease.params as { w: number; h: number; maxIter: number; limbs: number; steps: number; samplesPerStep: number };
		return lease.kernel === 'mc-pi' ? priceChainMicro(p.steps, p.samplesPerStep) : priceTileMicro(p.w, p.h, p.maxIter, p.limbs);
	}
};

export class JobFeeder {
	private created = 0;

	constructor(
		private readonly requester: ApiClient,
		private readonly seed: number
	) {}

	/** Cancels every running job of this requester (a scenario starts on fresh jobs). */
	async cancelRunning(): Promise<void> {
		for (;;) {
			const list = await this.requester.get<{ jobs: JobSummary[] }>(`/jobs?requester=${this.requester.key}`);
			const running = list.body.jobs.filter((x) => x.state === 'running');
			if (running.length === 0) return;
			for (const j of running) await this.requester.post(`/jobs/${j.id}/cancel`, {});
		}
	}

	/** Tops the running jobs up to RUNNING_JOBS until `done()`. */
	async run(done: () => boolean): Promise<void> {
		while (!done()) {
			const list = await this.requester.get<{ jobs: JobSummary[] }>(`/jobs?requester=${this.requester.key}`).catch((err: unknown) => {
				if (err instanceof TypeError) return { status: 0, body: { jobs: [] } };
				throw err;
			});
			const running = list.status === 200 ? list.body.jobs.filter((j) => j.state === 'running').length : RUNNING_JOBS;
			for (let i = running; i < RUNNING_JOBS && !done(); i++) await this.create();
			await new Promise((r) => setTimeout(r, POLL_MS));
		}
	}

	/**
	 * Creates the next job. A dropped connection (a loaded relay resets keep-alive sockets) is
	 * retried up to CREATE_RETRIES_MAX times with the same clientRef, which the relay
	 * deduplicates, so a retry never makes a second job.
	 */
	private async create(): Promise<void> {
		const shape = JOB_SHAPES.specs[this.created % JOB_SHAPES.specs.length] as (seed: number) => { kernel: string; spec: unknown };
		const n = this.created++;
		const body = { ...shape((this.seed * 7919 + n) >>> 0), budgetMicro: 50_000_000, clientRef: `sim-job-${this.seed}-${n}` };
		for (let attempt = 0; ; attempt++) {
			try {
				const res = await this.requester.post('/jobs', body);
				if (res.status !== 201 && res.status !== 200) throw new Error(`creating a job failed: ${res.status} ${JSON.stringify(res.body)}`);
				return;
			} catch (err) {
				if (!(err instanceof TypeError) || attempt >= CREATE_RETRIES_MAX) throw err;
				await new Promise((r) => setTimeout(r, POLL_MS));
			}
		}
	}
}
