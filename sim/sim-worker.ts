// One simulated volunteer: the browser contributor's protocol in Node, with the CPU twins. Each
// step is one claim (carrying the commitments of finished results), the reveals it opened, the
// tasks it leased computed (honestly or not, as its behaviour says), and, while it is a side of a
// dispute or a trusted referee, one poll of the dispute questions. Everything it holds is bounded.
import * as v from 'valibot';
import type { DisputePollResponse, DisputeQuestion } from '../src/lib/protocol/disputes.js';
import type { ClaimResponse, Commitment, Lease } from '../src/lib/protocol/leases.js';
import { CLAIM_COMMITMENTS_MAX } from '../src/lib/protocol/limits.js';
import { computeTileCpu } from '../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../src/lib/kernels/mandelbrot/meta.js';
import { refereeStep } from '../src/lib/kernels/mc-pi/cpu-twin.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ApiClient } from '../relay/testing/api-client.js';
import { disputeAnswer, honestTrace, revealExtras } from '../relay/testing/mc-pi-traces.js';
import { NodeSigner } from '../relay/testing/node-signer.js';
import type { Behaviour, Produced } from './sim-behaviours.js';

/** Leases one claim asks for. */
export const SIM_LEASES_PER_CLAIM = 2;
/** Results a worker holds between commit and reveal, and traces kept for disputes. */
const HELD_MAX = 64;
const TRACES_MAX = 256;
/** How long a revealed bisect result's trace is kept for a dispute to open or to ask its next round. */
const DISPUTE_WATCH_MS = 180_000;
const KERNELS = ['mandelbrot', 'mc-pi'];

interface Held {
	lease: Lease;
	produced: Produced;
}

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
}

export class SimWorker {
	client: ApiClient;
	/** Every key this worker has used (Sybils rotate). */
	readonly keys: string[] = [];
	readonly tally: WorkerTally = { revealed: 0, withheld: 0, copiesRefused: 0, copiesAccepted: 0, disputeAnswers: 0, refereeSteps: 0, shutOut: 0, refused: 0, stepGapMsMax: 0 };
	/** Shut out (stake below its probation) and not rotating: no new tasks, but it still answers its disputes, as the browser does. */
	onProbation = false;
	/** At the end of a run: take no new tasks, but still reveal, answer disputes and referee. */
	draining = false;
	/** When this worker last had a dispute question to answer or a step to referee. */
	lastDisputeAt = 0;
	/** Every dispute this worker was asked about (bounded like its traces), answered or not. */
	readonly disputesSeen = new Set<string>();
	private lastClaimAt = 0;
	private held = new Map<string, Held>();
	private toCommit: Commitment[] = [];
	private traces = new Map<string, { produced: Produced; until: number }>();

	constructor(
		private readonly baseUrl: string,
		readonly network: string,
		public behaviour: Behaviour,
		readonly referee: boolean,
		signer: NodeSigner = new NodeSigner()
	) {
		this.client = this.clientFor(signer);
	}

	get key(): string {
		return this.client.key;
	}

	private clientFor(signer: NodeSigner): ApiClient {
		const c = new ApiClient(this.baseUrl, signer);
		c.headers = { 'x-forwarded-for': this.network };
		this.keys.push(signer.publicKeyHex);
		return c;
	}

	/** Between phases of a run the worker is not stepping: that pause is no gap between claims. */
	pause(): void {
		this.lastClaimAt = 0;
	}

	/** One round trip and the work it brought; false when there was nothing to do. */
	async step(): Promise<boolean> {
		const commitments = this.toCommit.slice(0, CLAIM_COMMITMENTS_MAX);
		const wanted = this.onProbation || this.draining || this.held.size >= HELD_MAX ? 0 : SIM_LEASES_PER_CLAIM;
		const res = await this.client.claim({ maxTasks: wanted, kernels: KERNELS, commitments });
		if (res.status === 403) return this.shutOut();
		if (res.status !== 200) throw new Error(`claim failed: ${res.status} ${JSON.stringify(res.body)}`);
		this.toCommit = this.toCommit.slice(commitments.length);
		const body = res.body as ClaimResponse;
		const now = Date.now();
		if (this.lastClaimAt > 0) this.tally.stepGapMsMax = Math.max(this.tally.stepGapMsMax, now - this.lastClaimAt);
		this.lastClaimAt = now;
		// Dispute rounds have deadlines: answer and referee before anything that computes.
		const answered = await this.answer(body.questions);
		const refereed = this.referee ? await this.refereeSteps() : false;
		if (body.questions.length > 0 || refereed) this.lastDisputeAt = Date.now();
		for (const o of body.commitments) if (!o.ok) this.drop(o.leaseId);
		for (const leaseId of body.reveal) await this.reveal(leaseId);
		this.expire(Date.now());
		for (const lease of body.leases) this.compute(lease);
		return body.leases.length > 0 || body.reveal.length > 0 || answered || refereed;
	}

	private compute(lease: Lease): void {
		const honest = (): Produced => {
			if (lease.kernel === 'mc-pi') {
				const trace = honestTrace(lease.params);
				return { bytes: trace.final, trace, lie: false };
			}
			return { bytes: computeTileCpu(v.parse(mandelbrotMeta.paramsSchema, lease.params)), trace: null, lie: false };
		};
		const produced = this.behaviour.produce(lease, honest);
		this.held.set(lease.leaseId, { lease, produced });
		const merkleRoot = produced.trace ? revealExtras(produced.trace).merkleRoot : null;
		this.toCommit.push(this.client.commitmentFor(lease, produced.bytes, { merkleRoot }));
	}

	private async reveal(leaseId: string): Promise<void> {
		const h = this.held.get(leaseId);
		if (!h) return;
		this.held.delete(leaseId);
		if (this.behaviour.copies) return this.tryToCopy(h);
		const extras = h.produced.trace ? revealExtras(h.produced.trace) : {};
		const res = await this.client.reveal<{ verdict: string }>(h.lease, h.produced.bytes, {}, extras);
		// Not open after all (another replica's lease lapsed meanwhile): wait for the next list.
		if (res.status === 425) return void this.held.set(leaseId, h);
		// The task closed without it, or the lease was revoked or lapsed: nothing more to do.
		if (res.status === 409 || res.status === 410) return void this.tally.refused++;
		if (res.status !== 200) throw new Error(`reveal failed: ${res.status} ${JSON.stringify(res.body)}`);
		this.tally.revealed++;
		// A dispute can open when another replica reveals later: keep the trace to answer it.
		if (h.produced.trace) this.keepTrace(leaseId, h.produced);
	}

	/** A copier has no answer of its own: it looks for one the relay made public, reveals that, or nothing. */
	private async tryToCopy(h: Held): Promise<void> {
		const idx = Number(h.lease.taskId.slice(h.lease.taskId.lastIndexOf(':') + 1));
		const res = await fetch(`${this.baseUrl}/api/v1/jobs/${h.lease.jobId}/tasks/${idx}/result`);
		if (res.status !== 200) {
			this.tally.withheld++;
			return;
		}
		const copied = new Uint8Array(await res.arrayBuffer());
		const r = await this.client.reveal<{ verdict: string }>(h.lease, copied);
		if (r.status === 200 && r.body.verdict === 'accepted') this.tally.copiesAccepted++;
		else this.tally.copiesRefused++;
	}

	private keepTrace(leaseId: string, produced: Produced): void {
		if (this.traces.size >= TRACES_MAX) this.traces.delete(this.traces.keys().next().value as string);
		this.traces.set(leaseId, { produced, until: Date.now() + DISPUTE_WATCH_MS });
	}

	/** Answers this round's questions from the trace it committed to (unless it plays silent). */
	private async answer(questions: readonly DisputeQuestion[]): Promise<boolean> {
		let answered = false;
		for (const q of questions) {
			if (this.disputesSeen.size < TRACES_MAX) this.disputesSeen.add(q.disputeId);
			const kept = this.traces.get(q.leaseId);
			if (!kept?.produced.trace || !this.behaviour.answersDisputes) continue;
			kept.until = Date.now() + DISPUTE_WATCH_MS;
			const a = await this.client.post(`/disputes/${q.disputeId}/answer`, disputeAnswer(kept.produced.trace, q.index));
			if (a.status === 200) this.tally.disputeAnswers++;
			answered = true;
		}
		return answered;
	}

	/** A trusted referee recomputes the one step each dispute handed to it. */
	private async refereeSteps(): Promise<boolean> {
		const res = await this.client.post<DisputePollResponse>('/disputes/poll', {});
		if (res.status !== 200) throw new Error(`dispute poll failed: ${res.status} ${JSON.stringify(res.body)}`);
		for (const t of res.body.referee) {
			const state = refereeStep(t.params, t.index, t.prior === null ? null : hexToBytes(t.prior));
			const r = await this.client.post(`/disputes/${t.disputeId}/referee`, { index: t.index, state: bytesToHex(state) });
			if (r.status === 200) this.tally.refereeSteps++;
		}
		return res.body.referee.length > 0;
	}

	/** Commitments the relay refused (lapsed or revoked leases): nothing to reveal. */
	private drop(leaseId: string): void {
		if (this.held.delete(leaseId)) this.tally.withheld++;
	}

	private expire(now: number): void {
		for (const [id, h] of this.held) {
			if (h.lease.expiresAt + 60_000 < now) {
				this.held.delete(id);
				this.tally.withheld++;
			}
		}
		for (const [id, t] of this.traces) if (t.until < now) this.traces.delete(id);
	}

	/**
	 * The key's stake no longer covers its probation: a Sybil starts over with a new key (leaving
	 * its old key's disputes unanswered); anyone else takes no new work but keeps answering.
	 */
	private shutOut(): boolean {
		this.tally.shutOut++;
		if (!this.behaviour.rotatesKeys) {
			this.onProbation = true;
			return true;
		}
		this.tally.withheld += this.held.size;
		this.held.clear();
		this.toCommit = [];
		this.client = this.clientFor(new NodeSigner());
		return true;
	}
}
