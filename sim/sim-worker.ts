// One simulated volunteer for the cheater simulation: the real contributor loop
// (src/lib/contributor) in Node on the CPU twins, with its behaviour (sim-behaviours.ts) as hooks
// on that loop, and a tally of what it did from the loop's events. A worker whose key is shut out
// answers its disputes on probation, as the browser does, unless it rotates keys (a Sybil): then it
// starts over with a fresh key. At the end of a run it drains: no new tasks, but it still reveals,
// answers disputes and referees. Everything it holds is bounded by the loop's own bounds.
import type { LoopTiming } from '../src/lib/contributor/contributor-loop.js';
import { sleep } from '../src/lib/contributor/clock.js';
import { cpuCompute } from '../src/lib/contributor/cpu-compute.js';
import type { ContributorCompute, ContributorEvents, ContributorHooks } from '../src/lib/contributor/ports.js';
import { WorkGate } from '../src/lib/contributor/work-gate.js';
import { API_PREFIX } from '../src/lib/protocol/version.js';
import type { ApiClient } from '../relay/testing/api-client.js';
import { nodeContributor, type NodeContributor } from '../relay/testing/node-contributor.js';
import { NodeSigner } from '../relay/testing/node-signer.js';
import type { Behaviour } from './sim-behaviours.js';

const KERNELS = ['mandelbrot', 'mc-pi'];
/** Disputes remembered for the end-of-run wait (bounded like the traces). */
const DISPUTES_SEEN_MAX = 256;
/**
 * Faster than a browser (idle backoff 100 ms → 2 s, referee polls twice a second) to keep runs
 * short; traces kept longer and more of them, since 200 workers on two cores can go 10 s and more
 * between claims while a dispute's rounds go on.
 */
const SIM_TIMING: Partial<LoopTiming> = { claimIdleMsMin: 100, claimIdleMsMax: 2_000, refereePollMs: 500, gatedPollMs: 500, tracesKeptMax: 256, traceKeepMs: 180_000 };
/** Upload refusals that are the simulation's fault, not a closed task or a lapsed lease: they count as failures. */
const FAILURE_CODES = new Set(['internal', 'network', 'bad_response', 'http', 'bad_request', 'bad_signature', 'stale_signature', 'replayed_nonce', 'rate_limited', 'unauthenticated']);

/** What every worker adds to the run's tallies. */
export interface WorkerTally {
	/** Results uploaded and stored by the relay (every verdict). */
	revealed: number;
	/** Results committed and never revealed (withheld, or nothing copied). */
	withheld: number;
	/** Copies revealed and refused by the relay. */
	copiesRefused: number;
	copiesAccepted: number;
	disputeAnswers: number;
	refereeSteps: number;
	/** Claims refused because the key's stake no longer covers its probation. */
	shutOut: number;
	/** Reveals refused because the task closed or the lease was revoked or lapsed. */
	refused: number;
	/** The longest wait between two of this worker's claims: how late a dispute question can be seen. */
	stepGapMsMax: number;
	/** Claims and uploads that failed for the simulation's fault (the relay down, a bad request). */
	failures: number;
}

export interface SimWorkerOptions {
	/** Extra time each task takes (a device's compute time); 0: as fast as the twin. */
	taskMs?: number;
	/** Where failures are said (the first few). */
	log?: (line: string) => void;
}

export class SimWorker {
	/** Every key this worker has used (Sybils rotate). */
	readonly keys: string[] = [];
	readonly tally: WorkerTally = { revealed: 0, withheld: 0, copiesRefused: 0, copiesAccepted: 0, disputeAnswers: 0, refereeSteps: 0, shutOut: 0, refused: 0, stepGapMsMax: 0, failures: 0 };
	/** When this worker last had a dispute question to answer or a step to referee. */
	lastDisputeAt = 0;
	/** Every dispute this worker was asked about (bounded), answered or not. */
	readonly disputesSeen = new Set<string>();
	private c: NodeContributor;
	private readonly gate = new WorkGate<'drain'>(['drain']);
	private lastClaimAt = 0;
	/** Leases whose reveal carried a copy, not the worker's own result. */
	private readonly copied = new Set<string>();
	private stopped = true;

	constructor(
		private readonly baseUrl: string,
		readonly network: string,
		public behaviour: Behaviour,
		readonly referee: boolean,
		signer: NodeSigner = new NodeSigner(),
		private readonly options: SimWorkerOptions = {}
	) {
		this.c = this.contributor(signer);
	}

	get key(): string {
		return this.c.signer.publicKeyHex;
	}

	get client(): ApiClient {
		return this.c.client;
	}

	/** Starts the loop (again after stop(), with the same key and what its store holds). */
	async start(): Promise<void> {
		this.stopped = false;
		this.lastClaimAt = 0;
		this.gate.set('drain', null);
		await this.launch(this.c);
	}

	/** The end of a run: no new tasks, but reveals, dispute answers and referee steps go on. */
	drain(): void {
		this.gate.set('drain', 'draining: the run is ending');
	}

	async stop(): Promise<void> {
		this.stopped = true;
		await this.c.loop.stop({ reveal: false });
	}

	private contributor(signer: NodeSigner): NodeContributor {
		this.keys.push(signer.publicKeyHex);
		return nodeContributor({
			url: this.baseUrl,
			signer,
			address: this.network,
			kernels: KERNELS,
			leaseMs: 20_000,
			gate: this.gate,
			timing: SIM_TIMING,
			hooks: this.hooks(),
			events: this.events(),
			compute: this.compute()
		});
	}

	/** The CPU twins, each task taking `taskMs` longer (a real device's seconds). */
	private compute(): ContributorCompute {
		const taskMs = this.options.taskMs ?? 0;
		return {
			profile: () => ({ backend: 'cpu', device: null }),
			compute: async (_slot, lease, signal) => {
				const out = await cpuCompute(lease, signal);
				if (taskMs > 0) await sleep(taskMs, signal);
				return out;
			}
		};
	}

	private async launch(c: NodeContributor): Promise<void> {
		await c.loop.start(1);
		void c.loop.finished().then(() => this.startOver(c));
	}

	/** The loop ended on its own: a Sybil shut out starts over with a fresh key, leaving its old key's disputes unanswered. */
	private async startOver(c: NodeContributor): Promise<void> {
		if (this.stopped || c !== this.c) return;
		this.tally.withheld += c.loop.held;
		await c.loop.stop({ reveal: false });
		this.c = this.contributor(new NodeSigner());
		await this.launch(this.c);
	}

	private hooks(): ContributorHooks {
		const b = this.behaviour;
		return {
			produce: (lease, honest) => b.produce(lease, honest),
			answersDispute: () => b.answersDisputes,
			onShutOut: () => (b.rotatesKeys ? 'stop' : 'probation'),
			...(b.copies ? { reveal: (lease) => this.copy(lease.jobId, lease.taskId, lease.leaseId) } : {})
		};
	}

	/** A copier has no answer of its own: it looks for one the relay made public, and reveals that or nothing. */
	private async copy(jobId: string, taskId: string, leaseId: string): Promise<Uint8Array | null> {
		const idx = Number(taskId.slice(taskId.lastIndexOf(':') + 1));
		const res = await fetch(`${this.baseUrl}${API_PREFIX}/jobs/${jobId}/tasks/${idx}/result`);
		if (res.status !== 200) return null;
		this.copied.add(leaseId);
		return new Uint8Array(await res.arrayBuffer());
	}

	private events(): ContributorEvents {
		const t = this.tally;
		return {
			claimed: () => {
				const now = Date.now();
				if (this.lastClaimAt > 0) t.stepGapMsMax = Math.max(t.stepGapMsMax, now - this.lastClaimAt);
				this.lastClaimAt = now;
			},
			claimFailed: (err) => this.fail(`claim failed: ${(err as Error).message}`),
			uploaded: (lease, res) => {
				if (!this.copied.delete(lease.leaseId)) t.revealed++;
				else if (res.verdict === 'accepted') t.copiesAccepted++;
				else t.copiesRefused++;
			},
			uploadFailed: (lease, code, message) => {
				if (this.copied.delete(lease.leaseId)) t.copiesRefused++;
				else if (code !== null && FAILURE_CODES.has(code)) this.fail(`reveal failed: ${code}: ${message}`);
				else t.refused++;
			},
			dropped: () => void t.withheld++,
			questioned: (q) => {
				if (this.disputesSeen.size < DISPUTES_SEEN_MAX) this.disputesSeen.add(q.disputeId);
				this.lastDisputeAt = Date.now();
			},
			answered: () => void t.disputeAnswers++,
			refereed: () => {
				t.refereeSteps++;
				this.lastDisputeAt = Date.now();
			},
			shutOut: () => void t.shutOut++
		};
	}

	private fail(line: string): void {
		if (++this.tally.failures <= 3) this.options.log?.(`worker ${this.key.slice(0, 8)}: ${line}`);
	}
}
