// A database with some history, built through the real API: funded keys, jobs whose every tile
// two workers settled (escrows, payouts, fees, refunds, reputations), and one open job left to
// claim from. Tests and benches that measure the relay under load start from it, since an empty
// database hides what a query costs.
import * as v from 'valibot';
import { computeTileCpu } from '../../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../../src/lib/kernels/mandelbrot/meta.js';
import type { JobSummary } from '../../src/lib/protocol/jobs.js';
import { ApiClient } from './api-client.js';
import { NodeSigner } from './node-signer.js';
import { RevealQueue } from './reveal-queue.js';

/** Small, shallow tiles: settling is what costs here, not computing. */
const SPEC = { centerRe: '-0.75', centerIm: '0', zoom: '1', width: 1024, height: 256, maxIter: 32, tile: 64 };
const CLAIM_TASKS = 16;

export interface History {
	requester: ApiClient;
	/** A running job with every tile still open. */
	open: JobSummary;
	/** The two keys that settled every tile: proven keys, with long valid streaks. */
	workers: ApiClient[];
	settledTasks: number;
}

export async function buildHistory(url: string, opts: { jobs: number; fundedKeys: number }): Promise<History> {
	const requester = new ApiClient(url, new NodeSigner());
	if ((await requester.post('/grants/demo', {})).status !== 201) throw new Error('the requester got no grant');
	for (let i = 0; i < opts.fundedKeys; i++) await new ApiClient(url, new NodeSigner()).post('/grants/demo', {});
	const newJob = async (ref: string): Promise<JobSummary> => {
		const res = await requester.post<JobSummary>('/jobs', { kernel: 'mandelbrot', spec: SPEC, budgetMicro: 2_000_000, clientRef: ref });
		if (res.status !== 201) throw new Error(`job creation failed: ${res.status} ${JSON.stringify(res.body)}`);
		return res.body;
	};
	// One pair settles everything: once warmed up, some tiles need one replica and some both, so
	// a reveal that waits for the other replica (425) is retried after the next claims.
	const pair = [new ApiClient(url, new NodeSigner()), new ApiClient(url, new NodeSigner())];
	const reveals = new RevealQueue();
	let settledTasks = 0;
	for (let j = 0; j < opts.jobs; j++) {
		const job = await newJob(`history-${j}`);
		for (;;) {
			let leased = 0;
			for (const w of pair) {
				for (const l of (await w.claim({ maxTasks: CLAIM_TASKS, kernels: ['mandelbrot'] })).body.leases) {
					leased++;
					const c = await reveals.add(w, l, computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, l.params)));
					if (!c.ok) throw new Error(`commit failed: ${c.status} ${JSON.stringify(c.body)}`);
				}
			}
			for (const { res } of await reveals.flush()) if (res.status !== 200) throw new Error(`settling failed: ${res.status} ${JSON.stringify(res.body)}`);
			if (leased === 0 && reveals.size === 0) break;
		}
		const done = await requester.get<{ job: { state: string; tasksDone: number } }>(`/jobs/${job.id}`);
		if (done.body.job.state !== 'completed') throw new Error(`history job ${job.id} is ${done.body.job.state} with ${done.body.job.tasksDone}/${job.tasks} tiles`);
		settledTasks += job.tasks;
	}
	return { requester, open: await newJob('history-open'), workers: pair, settledTasks };
}
