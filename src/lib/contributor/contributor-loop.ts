// The contributor protocol, once, for every host (the browser page, Node, the simulators). One
// loop per worker slot: claim leases, compute, hash, sign a receipt, and commit to the result with
// the next claim (commit-then-reveal); upload it once a claim response lists it as open for reveal
// (every replica has committed). Heartbeat each held lease every heartbeatMsMax (or leaseMs/3)
// while it is worked on, and re-send a commitment whose lease is half gone while its partner still
// computes (the relay keeps it alive); back off (claimIdleMsMin → claimIdleMsMax) when there is no
// work, but poll at the minimum while results wait for their reveal; answer dispute rounds from
// the committed trace, and referee disputed steps when the operator trusts this key. stop() aborts
// in-flight work and reveals what it still can.
//
// Offline: prefetch() leases a bounded batch for OFFLINE_LEASE_MS into the store; the loops compute
// prefetched tasks first, with or without a network, and every finished result sits in the
// durable outbox until it is committed and revealed (on the next claim, or flush()). Between tasks
// the loops wait at the gate, and a CPU share below 100% idles each slot in proportion to the
// time it computed. Hosts inject what differs (ports.ts); hooks change what an honest device does.
import { bytesToHex } from '@noble/hashes/utils.js';
import type { ClaimResponse, Lease, LeaseLimit } from '../protocol/leases.js';
import { resultCommitment } from '../verify/commitment.js';
import { encodeReceiptHeader } from '../verify/receipt.js';
import { sha256Hex } from '../verify/sha256.js';
import { BisectTrace } from './bisect-trace.js';
import { systemClock } from './clock.js';
import { Disputes } from './disputes.js';
import type { ActivityTone, Clock, Computed, ContributorCompute, ContributorEvents, ContributorHooks, ContributorRelay, ContributorStore, Gate, ReceiptSigner, RefereeSteps } from './ports.js';
import { describeError, errorCode, hasCode, isAbortError } from './relay-error.js';
import { OUTBOX_RESULTS_MAX, ResultOutbox, type HeldResult } from './result-outbox.js';
import { short, taskLabel } from './labels.js';
import { statusLine, type ContributorState } from './status-line.js';
import { WorkGate } from './work-gate.js';

/** The loop's pace and bounds; hosts may change them (simulators run faster, keep more traces). */
export interface LoopTiming {
	claimIdleMsMin: number;
	claimIdleMsMax: number;
	/** Heartbeats while computing come at least this often (a lease can be shorter than a fast device's claim loop). */
	heartbeatMsMax: number;
	/** Leases one slot claims at once: one to compute, one queued behind it. */
	leasesPerClaim: number;
	/** How long stop() spends revealing results whose reveal is already open. */
	stopRevealMsMax: number;
	/** Revealed bisect traces kept to answer disputes, and for how long. */
	tracesKeptMax: number;
	traceKeepMs: number;
	/** How often a trusted referee asks for steps to recompute. */
	refereePollMs: number;
	/** How often a slot whose work is held back still commits, uploads and answers disputes. */
	gatedPollMs: number;
}

const LOOP_TIMING: Readonly<LoopTiming> = {
	claimIdleMsMin: 500,
	claimIdleMsMax: 5_000,
	heartbeatMsMax: 10_000,
	leasesPerClaim: 2,
	stopRevealMsMax: 3_000,
	tracesKeptMax: 64,
	traceKeepMs: 30 * 60_000,
	refereePollMs: 3_000,
	gatedPollMs: 5_000
};

export const CPU_SHARE_MAX = 100;

export interface ContributorLoopOptions {
	relay: ContributorRelay;
	signer: ReceiptSigner;
	compute: ContributorCompute;
	kernels: readonly string[];
	/** The relay's base lease (GET /info): heartbeats and commitment refreshes are paced by it. */
	leaseMs: number;
	/** Durable prefetch and outbox; null: results live in memory only and nothing is prefetched. */
	store?: ContributorStore | null;
	/** Most prefetched leases the relay lets one key hold. */
	prefetchMax?: number;
	gate?: Gate;
	clock?: Clock;
	hooks?: ContributorHooks;
	events?: ContributorEvents;
	refereeSteps?: RefereeSteps;
	/** The CPU share in force now, percent (the browser caps it under CPU pressure). */
	share?: () => number;
	timing?: Partial<LoopTiming>;
	outboxMax?: number;
}

type Outcome = 'stored' | 'aborted' | 'failed';

export class ContributorLoop {
	// ---- the view: what hosts show (events.change fires after any of it changes) ----------
	state: ContributorState = 'idle';
	workers = 0;
	/** Results computed and uploaded since this instance was made. */
	tasksDone = 0;
	/** Results computed (and stored), uploaded or not. */
	computed = 0;
	accepted = 0;
	rejected = 0;
	/** Uploaded and waiting for another replica (or a dispute) to settle. */
	pending = 0;
	/** Computed and committed, waiting for the other replicas to commit before the upload. */
	awaitingReveal = 0;
	/** Rounds of disputes this key answered, and steps it recomputed as a trusted referee. */
	disputeAnswers = 0;
	refereeSteps = 0;
	/** The operator marked this key as a trusted referee. */
	trusted = false;
	/** Micro-credits paid at upload time (later payouts show in the account). */
	paidMicro = 0;
	/** What each slot is doing now. */
	current: string[] = [];
	/** Prefetched tasks not computed yet, and computed results not yet accepted or refused by the relay. */
	prefetched = 0;
	unsent = 0;
	/** Slots computing a task right now, and resting for the CPU share after one. */
	busy = 0;
	resting = 0;
	/** The last claim found nothing to do (and nothing prefetched waits). */
	noWork = true;
	/** The bound that kept the last claim short, or null: then "no work" means no open tasks. The last prefetch's apart. */
	claimLimit: LeaseLimit | null = null;
	prefetchLimit: LeaseLimit | null = null;
	/** The host is preparing (the browser times its kernels) before the first task. */
	measuring = false;
	private offlineNow = false;

	readonly gate: Gate;
	private readonly o: ContributorLoopOptions;
	private readonly t: LoopTiming;
	private readonly clock: Clock;
	private readonly hooks: ContributorHooks;
	private readonly events: ContributorEvents;
	private readonly outbox: ResultOutbox;
	/** Prefetched leases waiting to be computed, and those a slot is computing. */
	private queue: Lease[] = [];
	private readonly taking = new Set<string>();
	/** Aborted by abortInFlight(): cuts the tasks in flight short. */
	private pauser = new AbortController();
	private flushing: Promise<void> | null = null;
	/** The host's preparation, run once per start when the gate first opens (so a waiting tab computes nothing). */
	private preparing: Promise<void> | null = null;
	private readonly disputes: Disputes;
	/** Why the relay refuses this key new work (its probation stake is missing), as last said. */
	private probation: string | null = null;
	private stopper: AbortController | null = null;
	private loops: Promise<void>[] = [];

	constructor(options: ContributorLoopOptions) {
		this.o = options;
		this.t = { ...LOOP_TIMING, ...options.timing };
		this.clock = options.clock ?? systemClock;
		this.hooks = options.hooks ?? {};
		this.events = options.events ?? {};
		this.gate = options.gate ?? new WorkGate<string>([]);
		this.disputes = new Disputes({ ...options, clock: this.clock, timing: this.t, hooks: this.hooks, events: this.events, log: (text, tone) => this.log(text, tone) });
		const store = options.store ?? null;
		this.outbox = new ResultOutbox(
			options.outboxMax ?? OUTBOX_RESULTS_MAX,
			store && {
				put: (r) => store.putResult(r),
				delete: (id) => store.deleteResult(id),
				onError: (err) => this.log(`Could not save a result on this device: ${describeError(err)}`, 'bad')
			}
		);
	}

	/** The last request failed for want of a network (a host may say so sooner, from its own hints). */
	get offline(): boolean {
		return this.offlineNow;
	}

	set offline(value: boolean) {
		this.offlineNow = value;
		this.changed();
	}

	/** The one status line, for hosts that do not back off under CPU pressure (the browser adds that). */
	get status(): string {
		const { state, unsent, prefetched, busy, resting, measuring, noWork, claimLimit, awaitingReveal } = this;
		return statusLine({ state, unsent, prefetched, busy, resting, measuring, noWork, claimLimit, awaitingReveal, offline: this.offlineNow, gateReason: this.gate.reason, effectiveShare: this.share(), backingOff: false });
	}

	get prefetchMax(): number {
		return this.o.prefetchMax ?? 0;
	}

	/** Results held between computing and the relay's verdict. */
	get held(): number {
		return this.outbox.size;
	}

	/** Loads what an earlier instance left in the store (prefetched tasks, unsent results); then uploads what it can. */
	async restore(): Promise<void> {
		const store = this.o.store;
		if (!store) return;
		try {
			const now = this.clock.now();
			this.queue = await store.prefetched(now);
			const restored = this.outbox.restore((await store.results()).filter((r) => r.expiresAt > now));
			this.counts();
			if (restored > 0 || this.queue.length > 0) {
				this.log(`Picked up where this device left off: ${restored} result${restored === 1 ? '' : 's'} to upload, ${this.queue.length} prefetched task${this.queue.length === 1 ? '' : 's'} to compute.`, 'info');
			}
		} catch (err) {
			this.log(`Could not read saved work: ${describeError(err)}`, 'bad');
		}
		if (this.outbox.size > 0) await this.flush();
	}

	/**
	 * Opens the compute (`compute.open`: the browser's worker pool) with up to `workers` slots,
	 * learns whether this key referees, and starts one loop per slot.
	 */
	async start(workers: number, open?: () => Promise<{ workers: number; where: string }>): Promise<boolean> {
		if (this.state !== 'idle') return false;
		this.state = 'starting';
		this.noWork = true;
		const stopper = new AbortController();
		this.stopper = stopper;
		this.current = Array.from({ length: workers }, () => 'starting');
		this.changed();
		let opened = { workers, where: 'the CPU twin' };
		try {
			if (open) opened = await open();
		} catch (err) {
			this.log(`Could not start the workers: ${describeError(err)}`, 'bad');
			this.state = 'idle';
			this.current = [];
			this.changed();
			return false;
		}
		if (stopper.signal.aborted) return false;
		this.workers = opened.workers;
		this.current = Array.from({ length: opened.workers }, () => 'starting');
		this.preparing = null;
		try {
			this.trusted = (await this.o.relay.trustedKeys()).includes(this.o.signer.publicKeyHex);
		} catch {
			this.trusted = false;
		}
		this.state = 'running';
		this.changed();
		this.log(`Joined with ${opened.workers} worker${opened.workers === 1 ? '' : 's'}: ${opened.where}.`, 'info');
		if (this.trusted) this.log('This key is a trusted referee: it also recomputes disputed steps.', 'info');
		this.loops = Array.from({ length: opened.workers }, (_, i) => this.loop(i, stopper.signal));
		return true;
	}

	/** Resolves once every slot's loop has ended (after stop(), or a hook's 'stop' on shut-out). */
	async finished(): Promise<void> {
		await Promise.allSettled(this.loops);
	}

	/**
	 * Leaves: aborts in-flight work and (unless `reveal` is false: a closed tab, a crash) commits
	 * what is finished and uploads whatever is already open, briefly.
	 */
	async stop(options: { reveal?: boolean } = {}): Promise<void> {
		if (this.state === 'idle' || this.state === 'stopping') return;
		this.state = 'stopping';
		this.changed();
		const inFlight = this.busy;
		this.stopper?.abort();
		await Promise.allSettled(this.loops);
		this.loops = [];
		if (options.reveal !== false) await this.revealBeforeLeaving();
		this.current = [];
		this.state = 'idle';
		this.changed();
		// Says only what happened: a device that was waiting for work abandoned nothing.
		this.log(inFlight > 0 ? `Left: ${inFlight} task${inFlight === 1 ? '' : 's'} in flight abandoned (the lease${inFlight === 1 ? '' : 's'} will expire).` : 'Left: nothing was in flight.', 'info');
	}

	/** Cuts the tasks in flight short (a pause); prefetched ones stay for later, nothing finished is lost. */
	abortInFlight(): void {
		this.pauser.abort();
		this.pauser = new AbortController();
	}

	/**
	 * Leases up to `count` tasks to compute with no network (the relay holds them OFFLINE_LEASE_MS
	 * and tops each key's batch up to prefetchMax) and stores them.
	 */
	async prefetch(count: number): Promise<number> {
		const store = this.o.store;
		if (!store) throw new Error('this device has no durable store, so tasks cannot be kept for offline work');
		const want = Math.max(0, Math.min(count, this.prefetchMax - this.queue.length));
		if (want === 0) return 0;
		const leases = await this.exchange(want, undefined, true);
		await store.addPrefetched(leases, this.clock.now());
		this.queue.push(...leases);
		this.counts();
		this.log(`Prefetched ${leases.length} task${leases.length === 1 ? '' : 's'} for offline work.`, 'info');
		return leases.length;
	}

	/** Commits and uploads what is finished, now (on `online`, on visibility, on Background Sync). */
	flush(): Promise<void> {
		if (this.outbox.size === 0) return Promise.resolve();
		this.flushing ??= this.exchange(0)
			.then(
				() => undefined,
				(err: unknown) => {
					if (!hasCode(err, 'network')) this.log(`Upload failed: ${describeError(err)}`, 'bad');
				}
			)
			.finally(() => (this.flushing = null));
		return this.flushing;
	}

	// ---- the loop ----------------------------------------------------------------------

	private share(): number {
		return this.o.share?.() ?? CPU_SHARE_MAX;
	}

	private changed(): void {
		this.events.change?.();
	}

	private log(text: string, tone: ActivityTone): void {
		this.events.log?.(text, tone);
	}

	private setCurrent(slot: number, text: string): void {
		if (this.current[slot] === text) return;
		this.current[slot] = text;
		this.changed();
	}

	private counts(): void {
		this.prefetched = this.queue.length;
		this.unsent = this.outbox.pendingUpload;
		this.awaitingReveal = this.outbox.waiting;
		this.changed();
	}

	/** One claim: commits what is finished, leases up to `maxTasks`, uploads whatever may be revealed, answers disputes. */
	private async exchange(maxTasks: number, signal?: AbortSignal, offline = false): Promise<Lease[]> {
		let response: ClaimResponse;
		const { backend, device } = this.o.compute.profile();
		try {
			response = await this.o.relay.claim(
				{
					maxTasks,
					kernels: [...this.o.kernels],
					backend,
					commitments: this.outbox.commitments(this.clock.now(), this.o.leaseMs / 2),
					offline,
					...(device ? { device } : {})
				},
				signal
			);
		} catch (err) {
			if (hasCode(err, 'network')) this.offline = true;
			throw err;
		}
		this.events.claimed?.(response, offline);
		if (this.offlineNow) this.log('Back online: uploading what was computed meanwhile.', 'good');
		this.offlineNow = false;
		if (maxTasks > 0 && offline) this.prefetchLimit = response.limit ?? null;
		else if (maxTasks > 0) this.claimLimit = response.limit ?? null;
		for (const r of this.outbox.applyOutcomes(response.commitments)) {
			this.log(`${capitalise(r.result.label)}: the relay refused the commitment (${r.code}): ${r.message}`, 'bad');
			this.events.dropped?.(r.result.lease, 'refused');
		}
		for (const h of this.outbox.expire(this.clock.now())) {
			this.log(`${capitalise(h.label)}: no other replica committed before the lease ran out; dropped.`, 'bad');
			this.events.dropped?.(h.lease, 'expired');
		}
		await Promise.all(this.outbox.takeForReveal(response.reveal).map((h) => this.reveal(h)));
		this.counts();
		const answered = await this.disputes.answer(response.questions);
		const refereed = this.trusted ? await this.disputes.referee() : 0;
		if (answered > 0 || refereed > 0) {
			this.disputeAnswers += answered;
			this.refereeSteps += refereed;
			this.changed();
		}
		if (response.leases.length > 0) this.events.leased?.(response.leases, offline);
		return response.leases;
	}

	private async loop(slot: number, stop: AbortSignal): Promise<void> {
		let idleMs = this.t.claimIdleMsMin;
		while (!stop.aborted) {
			if (!this.gate.open) {
				await this.waitAtGate(slot, stop);
				continue;
			}
			if (this.o.compute.prepare) await (this.preparing ??= this.prepare(slot));
			if (stop.aborted || !this.gate.open) continue;
			const prefetched = this.takePrefetched();
			if (prefetched) {
				await this.run(slot, prefetched, stop, true);
				continue;
			}
			let leases: Lease[];
			try {
				this.setCurrent(slot, 'asking for work');
				leases = await this.exchange(this.outbox.full ? 0 : this.t.leasesPerClaim, stop);
			} catch (err) {
				if (stop.aborted) break;
				if (!hasCode(err, 'stake_required')) this.events.claimFailed?.(err);
				if (hasCode(err, 'stake_required')) {
					if (this.onProbation(err) === 'stop') break;
					await this.exchangeOnProbation(slot, stop);
				} else if (hasCode(err, 'network')) {
					this.setCurrent(slot, 'offline: waiting for the network');
				} else {
					this.log(`Claim failed: ${describeError(err)}`, 'bad');
					this.setCurrent(slot, 'relay unreachable, retrying');
				}
				await this.clock.sleep(idleMs, stop);
				idleMs = Math.min(idleMs * 2, this.t.claimIdleMsMax);
				continue;
			}
			this.noWork = leases.length === 0 && this.queue.length === 0;
			this.changed();
			if (leases.length === 0) {
				const waiting = this.outbox.size;
				this.setCurrent(slot, this.claimLimit ? 'not taking more work (see the status line)' : waiting > 0 ? `waiting for other replicas of ${waiting} result${waiting === 1 ? '' : 's'}` : 'waiting for work');
				await this.clock.sleep(waiting > 0 ? this.t.claimIdleMsMin : idleMs, stop);
				if (waiting === 0) idleMs = Math.min(idleMs * 2, this.t.claimIdleMsMax);
				continue;
			}
			idleMs = this.t.claimIdleMsMin;
			this.probation = null;
			await this.computeClaimed(slot, leases, stop);
		}
		this.setCurrent(slot, 'stopped');
	}

	/** Computes one claim's leases in turn, keeping each alive until the next claim commits its result. */
	private async computeClaimed(slot: number, leases: readonly Lease[], stop: AbortSignal): Promise<void> {
		const held = new Map(leases.map((lease) => [lease.leaseId, new AbortController()]));
		const beat = setInterval(() => void this.heartbeat(held), Math.max(1_000, Math.min(this.t.heartbeatMsMax, Math.floor(this.o.leaseMs / 3))));
		try {
			for (const lease of leases) {
				// A pause keeps the rest of this claim from starting (those leases lapse).
				if (stop.aborted || !this.gate.open) break;
				const lost = held.get(lease.leaseId);
				if (!lost || lost.signal.aborted) continue;
				await this.run(slot, lease, AbortSignal.any([stop, lost.signal]), false);
			}
		} finally {
			clearInterval(beat);
		}
	}

	private async prepare(slot: number): Promise<void> {
		this.measuring = true;
		this.setCurrent(slot, 'measuring this device');
		try {
			await this.o.compute.prepare?.();
		} finally {
			this.measuring = false;
			this.changed();
		}
	}

	/**
	 * While work is held back: the first slot still commits, uploads and answers disputes every
	 * gatedPollMs (a paused device keeps its promises); the others just wait for the gate.
	 */
	private async waitAtGate(slot: number, stop: AbortSignal): Promise<void> {
		this.setCurrent(slot, this.gate.reason ?? 'paused');
		if (slot !== 0) return this.gate.wait(stop);
		await Promise.race([this.gate.wait(stop), this.clock.sleep(this.t.gatedPollMs, stop)]);
		if (stop.aborted || this.gate.open) return;
		try {
			await this.exchange(0, stop);
		} catch {
			// Offline or refused: the status says so; try again next time.
		}
	}

	/** The oldest prefetched task no slot has taken yet. */
	private takePrefetched(): Lease | null {
		const now = this.clock.now();
		this.queue = this.queue.filter((l) => l.expiresAt > now);
		const lease = this.queue.find((l) => !this.taking.has(l.leaseId)) ?? null;
		if (lease) this.taking.add(lease.leaseId);
		return lease;
	}

	/** Computes one task, then idles for the CPU share; a prefetched task leaves the queue only once its result is stored. */
	private async run(slot: number, lease: Lease, signal: AbortSignal, prefetched: boolean): Promise<void> {
		const started = this.clock.now();
		this.busy++;
		this.changed();
		let outcome: Outcome = 'aborted';
		try {
			outcome = await this.work(slot, lease, AbortSignal.any([signal, this.pauser.signal]), prefetched);
		} finally {
			this.busy--;
			if (prefetched) {
				this.taking.delete(lease.leaseId);
				// An aborted task stays prefetched for later; a failed one would only fail again.
				if (outcome !== 'aborted') this.queue = this.queue.filter((l) => l.leaseId !== lease.leaseId);
				if (outcome === 'failed') await this.o.store?.removePrefetched(lease.leaseId).catch(() => {});
			}
			this.counts();
		}
		// A prefetched result is committed as soon as the network lets it.
		if (prefetched && outcome === 'stored' && !this.offlineNow) void this.flush();
		const share = this.share();
		if (share < CPU_SHARE_MAX && !signal.aborted) {
			this.setCurrent(slot, `resting (CPU share ${share}%)`);
			this.resting++;
			this.changed();
			try {
				await this.clock.sleep(((this.clock.now() - started) * (CPU_SHARE_MAX - share)) / share, signal);
			} finally {
				this.resting--;
				this.changed();
			}
		}
	}

	/** What to do when the relay refuses this key new work: the hook's word, logged once per reason. */
	private onProbation(err: unknown): 'probation' | 'stop' {
		const reason = describeError(err);
		if (this.probation !== reason) {
			this.events.shutOut?.(reason);
			if (this.hooks.onShutOut?.(reason) === 'stop') {
				this.stopper?.abort();
				return 'stop';
			}
			this.log(`No new work: ${reason}. Open disputes are still answered.`, 'bad');
		}
		this.probation = reason;
		return 'probation';
	}

	/**
	 * A key caught with an invalid result takes no new work until it stakes its probation; it still
	 * commits, reveals and answers its disputes (a claim for no tasks is always allowed), so it can
	 * win the ones where it was right.
	 */
	private async exchangeOnProbation(slot: number, stop: AbortSignal): Promise<void> {
		this.setCurrent(slot, 'no new work until the probation stake is staked');
		try {
			await this.exchange(0, stop);
		} catch (err) {
			if (!stop.aborted) this.setCurrent(slot, `relay unreachable, retrying (${describeError(err)})`);
		}
	}

	private async revealBeforeLeaving(): Promise<void> {
		if (this.outbox.size === 0) return;
		try {
			await this.exchange(0, AbortSignal.timeout(this.t.stopRevealMsMax));
		} catch {
			// Leaving anyway: the leases expire on their own.
		}
	}

	private async heartbeat(held: Map<string, AbortController>): Promise<void> {
		await Promise.all(
			[...held].map(async ([leaseId, lost]) => {
				try {
					await this.o.relay.heartbeat(leaseId);
				} catch (err) {
					if (hasCode(err, 'lease_expired') || hasCode(err, 'lease_not_held')) {
						this.log(`Lease ${short(leaseId)} lost: ${describeError(err)}`, 'bad');
						held.delete(leaseId);
						lost.abort();
					}
				}
			})
		);
	}

	private async work(slot: number, lease: Lease, signal: AbortSignal, prefetched: boolean): Promise<Outcome> {
		const label = taskLabel(lease);
		try {
			this.setCurrent(slot, `computing ${label}`);
			const started = this.clock.now();
			const compute = () => this.o.compute.compute(slot, lease, signal);
			const out: Computed = this.hooks.produce ? await this.hooks.produce(lease, compute) : await compute();
			const ms = Math.round(this.clock.now() - started);
			const trace = out.states ? new BisectTrace(out.states, out.stateBytes) : null;
			const bytes = trace ? trace.final : out.bytes;
			const sha256 = sha256Hex(bytes);
			const receiptHeader = await this.receiptFor(lease, sha256);
			if (signal.aborted) return 'aborted';
			// Commit-then-reveal: the commitment rides with the next claim; the upload waits until
			// every replica has committed, so nobody can copy this answer.
			const salt = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
			const commitment = resultCommitment({ leaseId: lease.leaseId, sha256, merkleRoot: trace?.root ?? null, salt });
			const store = this.o.store;
			await this.outbox.add({ lease, bytes, receiptHeader, salt, commitment, label, trace }, prefetched && store ? (r) => store.finishPrefetched(r) : undefined);
			this.computed++;
			this.log(`${capitalise(label)}: computed in ${ms} ms on ${out.backend === 'webgpu' ? 'WebGPU' : 'the CPU twin'}${prefetched ? ' (prefetched)' : ''}; its commitment goes with the next claim.`, 'info');
			return 'stored';
		} catch (err) {
			if (isAbortError(err) || signal.aborted) return 'aborted';
			this.log(`${capitalise(label)} failed: ${describeError(err)}`, 'bad');
			return 'failed';
		}
	}

	private async receiptFor(lease: Lease, sha256: string): Promise<string> {
		const receipt = await this.o.signer.signReceipt({ v: 1, taskId: lease.taskId, leaseId: lease.leaseId, kernel: lease.kernel, kernelVersion: lease.kernelVersion, sha256, worker: this.o.signer.publicKeyHex });
		return encodeReceiptHeader(receipt);
	}

	private async reveal(h: HeldResult): Promise<void> {
		let bytes = h.bytes;
		let receiptHeader = h.receiptHeader;
		if (this.hooks.reveal) {
			const chosen = await this.hooks.reveal(h.lease, h.bytes);
			if (chosen === null) {
				this.outbox.done(h.lease.leaseId);
				this.events.dropped?.(h.lease, 'withheld');
				return;
			}
			if (chosen !== h.bytes) {
				bytes = chosen;
				receiptHeader = await this.receiptFor(h.lease, sha256Hex(chosen));
			}
		}
		try {
			const res = await this.o.relay.reveal(h.lease.leaseId, { bytes, receiptHeader, salt: h.salt, ...(h.trace ? { bisect: h.trace.reveal() } : {}) });
			this.outbox.done(h.lease.leaseId);
			if (h.trace) this.disputes.keep(h.lease.leaseId, h.trace);
			this.tasksDone++;
			this.paidMicro += res.paidMicro;
			if (res.verdict === 'accepted') this.accepted++;
			else if (res.verdict === 'rejected' || res.verdict === 'failed') this.rejected++;
			else this.pending++;
			const tone = res.verdict === 'accepted' ? 'good' : res.verdict === 'rejected' || res.verdict === 'failed' ? 'bad' : 'info';
			this.log(`${capitalise(h.label)}: uploaded, ${res.verdict}${res.paidMicro > 0 ? `, +${res.paidMicro} µcr` : ''}.`, tone);
			this.events.uploaded?.(h.lease, res);
		} catch (err) {
			if (hasCode(err, 'reveal_not_open')) {
				this.outbox.retry(h.lease.leaseId);
				return;
			}
			this.outbox.done(h.lease.leaseId);
			this.log(`${capitalise(h.label)}: upload failed: ${describeError(err)}`, 'bad');
			this.events.uploadFailed?.(h.lease, errorCode(err), describeError(err));
		}
	}
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
