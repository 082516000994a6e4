// The contribution loop. One loop per pool worker: claim leases, compute, hash, sign a receipt,
// and commit to the result with the next claim (commit-then-reveal); upload it once a claim
// response lists it as open for reveal (every replica has committed). Heartbeat each held lease
// every HEARTBEAT_MS_MAX (or leaseMs/3) while it is being worked on, and re-send a commitment
// whose lease is half gone while its partner still computes (the relay keeps it alive); back off
// (CLAIM_IDLE_MS_MIN → CLAIM_IDLE_MS_MAX) when there is no work, but poll at the minimum while
// results wait for their reveal; stop() aborts in-flight work and reveals what it still can.
//
// Before the first task each kernel's cost classes are timed on the CPU twin and on WebGPU
// (kernel-trials.ts); each task runs on the faster for its class, and the speeds go with every
// claim so the relay fits leases to this device.
//
// Offline: prefetch() leases a bounded batch for OFFLINE_LEASE_MS and keeps it in IndexedDB
// (work-store.ts); the loops compute prefetched tasks first, with or without a network, and every
// finished result sits in the durable outbox until it is committed and revealed, on the next
// claim, on `online`, when the page becomes visible, or when Background Sync fires. Between
// tasks the loops wait at the WorkGate (pause, battery, CPU pressure, another computing tab), and
// a CPU share below 100% idles each worker in proportion to the time it computed.
//
// Page query parameters (read by `contributorOptionsFromUrl`, used on /contribute):
//   ?autostart=1     start contributing as soon as the page has loaded.
//   ?workers=N       pool size, 1..POOL_SIZE_MAX (default min(hardwareConcurrency, 8)).
//   ?backend=cpu     force every worker onto the CPU twin (no WebGPU).
//   ?backend=webgpu  run every kernel on WebGPU when there is an adapter, even one that measured
//                    slower (a software adapter: how the tests get a device slower than a lease).
//   ?backoff=off     do not slow down under critical CPU pressure from other work (a dedicated
//                    machine; the end-to-end tests, whose parallel pages load two cores).
//   ?fault=corrupt   TEST HOOK, honoured only when GET /api/v1/info says `testHooks: true`:
//                    flip a byte of every result before hashing and signing, i.e. act as a
//                    lying worker, so end-to-end tests can watch verification reject it.
import type { ClaimResponse, Info, Lease, LeaseLimit, SubmitResponse } from '$lib/protocol';
import { encodeReceiptHeader, signReceipt } from '$lib/verify/receipt';
import { sha256Hex } from '$lib/verify/sha256';
import { resultCommitment } from '$lib/verify/commitment';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { isAbortError } from '$lib/worker/abort-signal-transfer';
import type { AdapterInfo, InitResult } from '$lib/worker/compute-worker';
import { ComputePool, clampPoolSize, defaultPoolSize } from '$lib/worker/pool';
import { describeError, isRelayError, type RelayClient, type Signer } from './relay-client';
import { ResultOutbox, type HeldResult } from './result-outbox';
import { BisectTrace } from './bisect-trace';
import { refereeStep } from '$lib/kernels/mc-pi/cpu-twin';
import type { Device, DisputeQuestion } from '$lib/protocol';
import { WorkGate } from './work-gate.svelte';
import type { PressureState } from './device-conditions';
import type { WorkStore } from './work-store';
import { deviceProfile } from './device-profile';
import { backendForTask, runKernelTrials, type ForcedBackend, type KernelTrial } from './kernel-trials';
import { PressureProbe, type ProbeState } from './pressure-probe';

export const CLAIM_IDLE_MS_MIN = 500;
/** Heartbeats while computing come at least this often (a lease can be shorter than a fast device's claim loop). */
export const HEARTBEAT_MS_MAX = 10_000;
export const CLAIM_IDLE_MS_MAX = 5_000;
/** Leases one worker loop claims at once: one to compute, one queued behind it. */
export const LEASES_PER_CLAIM = 2;
export const ACTIVITY_LINES_MAX = 50;
/** How long stop() spends revealing results whose reveal is already open. */
export const STOP_REVEAL_MS_MAX = 3_000;
/** Revealed bisect traces kept to answer disputes, and for how long. */
export const TRACES_KEPT_MAX = 64;
export const TRACE_KEEP_MS = 30 * 60_000;
/** How often a trusted referee asks for steps to recompute. */
export const REFEREE_POLL_MS = 3_000;
/** How often a device whose work is held back still commits, uploads and answers disputes. */
export const GATED_POLL_MS = 5_000;

/** Each bisect kernel's one-step recomputation, for when this key referees. */
const REFEREE_STEPS: Record<string, (params: unknown, index: number, prior: Uint8Array | null) => Uint8Array> = { 'mc-pi': refereeStep };

export interface ContributorOptions {
	workers: number;
	backend: 'auto' | 'cpu' | 'webgpu';
	/** Test hook: corrupt every result (only when the relay has test hooks on). */
	faultCorrupt: boolean;
	autostart: boolean;
	backOff: boolean;
}

/** Reads the query parameters documented at the top of this file. */
export function contributorOptionsFromUrl(url: URL, info: Info | null): ContributorOptions {
	const workers = Number(url.searchParams.get('workers'));
	return {
		workers: Number.isFinite(workers) && workers > 0 ? clampPoolSize(workers) : defaultPoolSize(),
		backend: backendParam(url.searchParams.get('backend')),
		faultCorrupt: info?.testHooks === true && url.searchParams.get('fault') === 'corrupt',
		autostart: url.searchParams.get('autostart') === '1',
		backOff: url.searchParams.get('backoff') !== 'off'
	};
}

function backendParam(value: string | null): ContributorOptions['backend'] {
	return value === 'cpu' || value === 'webgpu' ? value : 'auto';
}

export interface ActivityLine {
	at: number;
	text: string;
	tone: 'info' | 'good' | 'bad';
}

export type ContributorState = 'idle' | 'starting' | 'running' | 'stopping';

/** CPU share choices: each worker idles (100 − share)% of the time, in proportion to its compute time. */
export const CPU_SHARE_MIN = 10;
export const CPU_SHARE_MAX = 100;
/** Under critical CPU pressure from other work (pressure-probe.ts) the share is capped here. */
export const PRESSURE_SHARE_MAX = 50;

export interface ContributorDeps {
	client: RelayClient;
	signer: Signer;
	leaseMs: number;
	kernels: string[];
	/** Called after each upload so the app can refresh the balance. */
	onSubmitted?(response: SubmitResponse): void;
	/** Durable prefetch and outbox; null where IndexedDB is unavailable (results then live in memory). */
	store: WorkStore | null;
	/** Most prefetched leases the relay lets one key hold. */
	prefetchMax: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
	new Promise<void>((resolve) => {
		if (signal.aborted) return resolve();
		const timer = setTimeout(done, ms);
		signal.addEventListener('abort', done, { once: true });
		function done() {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
	});

export class Contributor {
	state = $state<ContributorState>('idle');
	backend = $state<'webgpu' | 'cpu' | null>(null);
	adapter = $state<AdapterInfo | null>(null);
	workers = $state(0);
	/** Results computed and uploaded this session. */
	tasksDone = $state(0);
	/** Results computed (and stored) this session, uploaded or not. */
	computed = $state(0);
	accepted = $state(0);
	rejected = $state(0);
	/** Uploaded and waiting for another replica (or a dispute) to settle. */
	pending = $state(0);
	/** Computed and committed, waiting for the other replicas to commit before the upload. */
	awaitingReveal = $state(0);
	/** Rounds of disputes this key answered, and steps it recomputed as a trusted referee. */
	disputeAnswers = $state(0);
	refereeSteps = $state(0);
	/** The operator marked this key as a trusted referee. */
	trusted = $state(false);
	/** Micro-credits paid at upload time this session (later payouts show in the account). */
	paidMicro = $state(0);
	/** What each worker is doing now. */
	current = $state<string[]>([]);
	activity = $state<ActivityLine[]>([]);
	faultCorrupt = $state(false);
	/** What holds new work back (pause, battery, pressure, another tab), with the reason. */
	readonly gate = new WorkGate();
	/** Share of each worker's time spent computing, CPU_SHARE_MIN..CPU_SHARE_MAX percent. */
	cpuShare = $state(CPU_SHARE_MAX);
	/** The Compute Pressure API's last word on the CPU, and whether to back off when it is critical. */
	pressure = $state<PressureState>('nominal');
	backOff = $state(true);
	/** Prefetched tasks not computed yet, and computed results not yet accepted or refused by the relay. */
	prefetched = $state(0);
	unsent = $state(0);
	/** The last request failed for want of a network. */
	offline = $state(false);
	/** Workers computing a task right now, and resting for the CPU share after one. */
	busy = $state(0);
	resting = $state(0);
	/** The last claim found nothing to do (and nothing prefetched waits). */
	noWork = $state(false);
	/**
	 * The bound that kept the last claim short (this key holds as much as its record allows, its
	 * device can finish soon, its network may hold, or its share while others wait), or null:
	 * then "no work" means no open tasks. The last prefetch's apart.
	 */
	claimLimit = $state.raw<LeaseLimit | null>(null);
	prefetchLimit = $state.raw<LeaseLimit | null>(null);
	/** What this device advertised (after the benchmark). */
	device = $state.raw<Device | null>(null);
	/** Each kernel's cost classes timed on both backends, and where each runs. */
	trials = $state.raw<KernelTrial[]>([]);
	/** The trials are running now. */
	measuringNow = $state(false);
	/** Whose the CPU pressure is (pressure-probe.ts): only `external` backs off. */
	pressureProbe = $state<ProbeState>('clear');

	private pool: ComputePool | null = null;
	private readonly outbox: ResultOutbox;
	/** Prefetched leases waiting to be computed, and those a loop is computing. */
	private queue: Lease[] = [];
	private readonly taking = new Set<string>();
	/** Aborted by pause(): cuts the tasks in flight short. */
	private pauser = new AbortController();
	private flushing: Promise<void> | null = null;
	private init: InitResult | null = null;
	/** The benchmark, run once per start when the gate first opens (so a waiting tab computes nothing). */
	private measuring: Promise<void> | null = null;
	private readonly traces = new Map<string, { trace: BisectTrace; until: number }>();
	private refereePolledAt = 0;
	/** Why the relay refuses this key new work (its probation stake is missing), as last said. */
	private probation: string | null = null;
	private stopper: AbortController | null = null;
	private loops: Promise<void>[] = [];
	private readonly deps: ContributorDeps;
	private forced: ForcedBackend = null;
	private readonly probe = new PressureProbe();
	private probeTimer: ReturnType<typeof setTimeout> | null = null;

	constructor(deps: ContributorDeps) {
		this.deps = deps;
		const store = deps.store;
		this.outbox = new ResultOutbox(undefined, store && {
			put: (r) => store.putResult(r),
			delete: (id) => store.deleteResult(id),
			onError: (err) => this.log(`Could not save a result on this device: ${describeError(err)}`, 'bad')
		});
	}

	/** Loads what an earlier page left (prefetched tasks, unsent results); then uploads what it can. */
	async restore(): Promise<void> {
		const store = this.deps.store;
		if (!store) return;
		try {
			const now = Date.now();
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

	get prefetchMax(): number {
		return this.deps.prefetchMax;
	}

	/** Why work is not running, or what it is doing: the one line the page shows. */
	get status(): string {
		const unsent = this.unsent > 0 ? `${this.unsent} result${this.unsent === 1 ? '' : 's'} waiting to upload` : '';
		if (this.offline) return `offline: ${unsent || 'nothing waiting to upload'}${this.prefetched > 0 ? `; computing ${this.prefetched} prefetched task${this.prefetched === 1 ? '' : 's'}` : ''}`;
		if (this.state === 'idle') return unsent ? `not contributing: ${unsent}` : 'not contributing';
		if (this.state === 'starting') return 'starting the workers';
		if (this.state === 'stopping') return 'leaving';
		const reason = this.gate.reason;
		if (reason && this.busy > 0) return `${reason} after the current task${this.busy === 1 ? '' : 's'}`;
		if (reason) return reason;
		if (this.measuringNow) return 'measuring this device: timing each kernel on WebGPU and on the CPU twin';
		const extra = unsent ? `; ${unsent}` : '';
		const tasks = this.busy > 0 ? `computing ${this.busy} task${this.busy === 1 ? '' : 's'}` : this.resting > 0 ? `resting between tasks (CPU share ${this.effectiveShare}%)` : '';
		if (this.backingOff) return `backing off: other work keeps the CPU under critical pressure (CPU share ${this.effectiveShare}%)${tasks ? `; ${tasks}` : ''}`;
		if (tasks) return tasks + extra;
		// Between two tasks of a stream of work: the next one is being fetched.
		if (!this.noWork) return `computing: fetching the next task${extra}`;
		// Held back by a bound, not by a lack of work: say which.
		if (this.claimLimit) return `not taking more work: ${this.claimLimit.message}${extra}`;
		const waiting = this.awaitingReveal;
		if (waiting > 0) return `waiting for another device to finish ${waiting} task${waiting === 1 ? '' : 's'} this device computed (each needs two devices)`;
		return `waiting for work: no open tasks right now${extra}`;
	}

	/** Where this device's work runs, from its trials: 'webgpu', 'cpu', 'mixed', or '' before they finish. */
	get backendsInUse(): 'webgpu' | 'cpu' | 'mixed' | '' {
		const used = new Set(this.trials.map((t) => t.backend));
		if (used.size === 0) return '';
		return used.size > 1 ? 'mixed' : (this.trials[0]?.backend ?? '');
	}

	private get backingOff(): boolean {
		return this.backOff && this.pressureProbe === 'external' && this.cpuShare > PRESSURE_SHARE_MAX;
	}

	/** A new Compute Pressure reading (contribution.svelte.ts watches it). */
	setPressure(state: PressureState): void {
		this.pressure = state;
		this.checkPressure();
	}

	/** Runs the probe on the latest reading and the tasks running now; holds new work while it probes. */
	private checkPressure(): void {
		if (!this.backOff) return;
		this.pressureProbe = this.probe.update(this.pressure, this.busy, Date.now());
		this.gate.set('pressure', this.pressureProbe === 'probing' ? 'checking whose CPU pressure it is: nothing new starts for a few seconds' : null);
		if (this.probeTimer) clearTimeout(this.probeTimer);
		this.probeTimer = null;
		const at = this.probe.decidesAt();
		if (at !== null) this.probeTimer = setTimeout(() => this.checkPressure(), Math.max(0, at - Date.now()) + 10);
	}

	/** The CPU share in force: the chosen one, capped while backing off under pressure. */
	get effectiveShare(): number {
		return this.backingOff ? PRESSURE_SHARE_MAX : this.cpuShare;
	}

	private counts(): void {
		this.prefetched = this.queue.length;
		this.unsent = this.outbox.pendingUpload;
		this.awaitingReveal = this.outbox.waiting;
	}

	/** Pause now: tasks in flight stop (prefetched ones stay for later); nothing finished is lost. */
	pause(): void {
		this.gate.set('user', 'paused');
		this.pauser.abort();
		this.pauser = new AbortController();
		this.log('Paused.', 'info');
	}

	/** Let the tasks in flight finish, then pause. */
	pauseAfterCurrent(): void {
		this.gate.set('user', 'paused');
		this.log(this.busy > 0 ? 'Pausing once the current task is done.' : 'Paused.', 'info');
	}

	resume(): void {
		this.gate.set('user', null);
		this.log('Resumed.', 'info');
	}

	setCpuShare(percent: number): void {
		this.cpuShare = Math.max(CPU_SHARE_MIN, Math.min(CPU_SHARE_MAX, Math.round(percent)));
	}

	/**
	 * Leases up to `count` tasks to compute with no network (the relay holds them OFFLINE_LEASE_MS
	 * and tops each key's batch up to prefetchMax) and stores them on this device.
	 */
	async prefetch(count: number): Promise<number> {
		const store = this.deps.store;
		if (!store) throw new Error('this browser has no IndexedDB, so tasks cannot be kept for offline work');
		const want = Math.max(0, Math.min(count, this.deps.prefetchMax - this.queue.length));
		if (want === 0) return 0;
		const leases = await this.exchange(want, undefined, true);
		await store.addPrefetched(leases, Date.now());
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
					if (!isRelayError(err, 'network')) this.log(`Upload failed: ${describeError(err)}`, 'bad');
				}
			)
			.finally(() => (this.flushing = null));
		return this.flushing;
	}

	async start(options: Pick<ContributorOptions, 'workers' | 'backend' | 'faultCorrupt'>): Promise<void> {
		if (this.state !== 'idle') return;
		this.state = 'starting';
		this.faultCorrupt = options.faultCorrupt;
		this.forced = options.backend === 'auto' ? null : options.backend;
		this.noWork = true;
		const stopper = new AbortController();
		this.stopper = stopper;
		const pool = new ComputePool(options.workers, { backend: options.backend });
		this.pool = pool;
		this.workers = pool.size;
		this.current = Array.from({ length: pool.size }, () => 'starting');
		let init: InitResult;
		try {
			init = await pool.init();
			this.backend = init.backend;
			this.adapter = init.adapter;
		} catch (err) {
			this.log(`Could not start the workers: ${describeError(err)}`, 'bad');
			pool.terminate();
			this.pool = null;
			this.state = 'idle';
			return;
		}
		if (stopper.signal.aborted) return;
		this.init = init;
		this.measuring = null;
		try {
			this.trusted = (await this.deps.client.trustedKeys()).keys.some((k) => k.key === this.deps.signer.publicKeyHex);
		} catch {
			this.trusted = false;
		}
		this.state = 'running';
		const where = this.adapter ? `WebGPU available (${adapterLabel(this.adapter)}) and the CPU twin` : 'the CPU twin (no WebGPU)';
		this.log(`Joined with ${pool.size} worker${pool.size === 1 ? '' : 's'}: ${where}.`, 'info');
		if (this.faultCorrupt) this.log('Test hook on: every result will be corrupted before signing.', 'bad');
		if (this.trusted) this.log('This key is a trusted referee: it also recomputes disputed steps.', 'info');
		this.loops = Array.from({ length: pool.size }, (_, i) => this.loop(i, pool, stopper.signal));
	}

	async stop(): Promise<void> {
		if (this.state === 'idle' || this.state === 'stopping') return;
		this.state = 'stopping';
		this.stopper?.abort();
		await Promise.allSettled(this.loops);
		this.loops = [];
		await this.revealBeforeLeaving();
		this.pool?.terminate();
		this.pool = null;
		this.current = [];
		if (this.probeTimer) clearTimeout(this.probeTimer);
		this.gate.set('pressure', null);
		this.state = 'idle';
		this.log('Left: in-flight work was abandoned (its leases will expire).', 'info');
	}

	/**
	 * Times every kernel this device takes on both backends once per start (kernel-trials.ts), so
	 * each task runs on the faster and the relay can fit tasks and leases to this device.
	 */
	private async measure(pool: ComputePool, init: InitResult): Promise<void> {
		this.measuringNow = true;
		this.setCurrent(0, 'measuring this device');
		try {
			const id = this.deps.store ? await this.deps.store.deviceId() : 'memory-only-device';
			const trials = await runKernelTrials(
				async (kernel, version, params, backend, signal) => void (await pool.compute(0, kernel, version, params, signal, backend)),
				this.deps.kernels,
				{ hasGpu: init.adapter !== null, force: this.forced }
			);
			this.trials = trials;
			// The one score older relays read: the shallowest fractal class on its chosen backend.
			const score = trials.find((t) => t.kernel === 'mandelbrot' && t.cls === 0)?.speed ?? trials[0]?.speed ?? 0;
			this.device = deviceProfile(id, init, score, trials);
			const gpu = trials.filter((t) => t.backend === 'webgpu').length;
			this.log(`Measured ${trials.length} kernel classes: ${gpu} run${gpu === 1 ? 's' : ''} faster on WebGPU, ${trials.length - gpu} on the CPU twin.`, 'info');
		} catch (err) {
			this.device = null;
			this.log(`Could not measure this device (${describeError(err)}); the relay will size tasks without it.`, 'bad');
		} finally {
			this.measuringNow = false;
		}
	}

	private setCurrent(slot: number, text: string): void {
		this.current[slot] = text;
	}

	private log(text: string, tone: ActivityLine['tone']): void {
		const next = [...this.activity, { at: Date.now(), text, tone }];
		this.activity = next.length > ACTIVITY_LINES_MAX ? next.slice(next.length - ACTIVITY_LINES_MAX) : next;
	}

	/** One claim: commits what is finished, leases up to `maxTasks`, uploads whatever may be revealed. */
	private async exchange(maxTasks: number, signal?: AbortSignal, offline = false): Promise<Lease[]> {
		let response: ClaimResponse;
		try {
			response = await this.deps.client.claim(
				{
					maxTasks,
					kernels: this.deps.kernels,
					backend: this.trials.find((t) => t.cls === 0)?.backend ?? this.backend ?? 'cpu',
					commitments: this.outbox.commitments(Date.now(), this.deps.leaseMs / 2),
					offline,
					...(this.device ? { device: this.device } : {})
				},
				signal
			);
		} catch (err) {
			if (isRelayError(err, 'network')) this.offline = true;
			throw err;
		}
		if (this.offline) this.log('Back online: uploading what was computed meanwhile.', 'good');
		this.offline = false;
		if (maxTasks > 0 && offline) this.prefetchLimit = response.limit ?? null;
		else if (maxTasks > 0) this.claimLimit = response.limit ?? null;
		for (const r of this.outbox.applyOutcomes(response.commitments)) {
			this.log(`${capitalise(r.result.label)}: the relay refused the commitment (${r.code}): ${r.message}`, 'bad');
		}
		for (const h of this.outbox.expire(Date.now())) {
			this.log(`${capitalise(h.label)}: no other replica committed before the lease ran out; dropped.`, 'bad');
		}
		await Promise.all(this.outbox.takeForReveal(response.reveal).map((h) => this.reveal(h)));
		this.counts();
		await this.answer(response.questions);
		if (this.trusted && Date.now() - this.refereePolledAt > REFEREE_POLL_MS) await this.referee();
		return response.leases;
	}

	private async loop(slot: number, pool: ComputePool, stop: AbortSignal): Promise<void> {
		let idleMs = CLAIM_IDLE_MS_MIN;
		while (!stop.aborted) {
			if (!this.gate.open) {
				await this.waitAtGate(slot, stop);
				continue;
			}
			if (this.init) await (this.measuring ??= this.measure(pool, this.init));
			if (stop.aborted || !this.gate.open) continue;
			const prefetched = this.takePrefetched();
			if (prefetched) {
				await this.run(slot, pool, prefetched, stop, true);
				continue;
			}
			let leases: Lease[];
			try {
				this.setCurrent(slot, 'asking for work');
				leases = await this.exchange(this.outbox.full ? 0 : LEASES_PER_CLAIM, stop);
			} catch (err) {
				if (stop.aborted) break;
				if (isRelayError(err, 'stake_required')) {
					await this.onProbation(slot, err.message, stop);
				} else if (isRelayError(err, 'network')) {
					this.setCurrent(slot, 'offline: waiting for the network');
				} else {
					this.log(`Claim failed: ${describeError(err)}`, 'bad');
					this.setCurrent(slot, 'relay unreachable, retrying');
				}
				await sleep(idleMs, stop);
				idleMs = Math.min(idleMs * 2, CLAIM_IDLE_MS_MAX);
				continue;
			}
			this.noWork = leases.length === 0 && this.queue.length === 0;
			if (leases.length === 0) {
				const waiting = this.outbox.size;
				this.setCurrent(slot, this.claimLimit ? 'not taking more work (see the status line)' : waiting > 0 ? `waiting for other replicas of ${waiting} result${waiting === 1 ? '' : 's'}` : 'waiting for work');
				await sleep(waiting > 0 ? CLAIM_IDLE_MS_MIN : idleMs, stop);
				if (waiting === 0) idleMs = Math.min(idleMs * 2, CLAIM_IDLE_MS_MAX);
				continue;
			}
			idleMs = CLAIM_IDLE_MS_MIN;
			this.probation = null;
			// Every lease claimed here is kept alive until the next claim commits its result.
			const held = new Map(leases.map((lease) => [lease.leaseId, new AbortController()]));
			const beat = setInterval(() => void this.heartbeat(held), Math.max(1_000, Math.min(HEARTBEAT_MS_MAX, Math.floor(this.deps.leaseMs / 3))));
			try {
				for (const lease of leases) {
					// A pause keeps the rest of this claim from starting (those leases lapse).
					if (stop.aborted || !this.gate.open) break;
					const lost = held.get(lease.leaseId);
					if (!lost || lost.signal.aborted) continue;
					await this.run(slot, pool, lease, AbortSignal.any([stop, lost.signal]), false);
				}
			} finally {
				clearInterval(beat);
			}
		}
		this.setCurrent(slot, 'stopped');
	}

	/**
	 * While work is held back: the first worker still commits, uploads and answers disputes every
	 * GATED_POLL_MS (a paused device keeps its promises); the others just wait for the gate.
	 */
	private async waitAtGate(slot: number, stop: AbortSignal): Promise<void> {
		this.setCurrent(slot, this.gate.reason ?? 'paused');
		if (slot !== 0) return this.gate.wait(stop);
		await Promise.race([this.gate.wait(stop), sleep(GATED_POLL_MS, stop)]);
		if (stop.aborted || this.gate.open) return;
		try {
			await this.exchange(0, stop);
		} catch {
			// Offline or refused: the status says so; try again next time.
		}
	}

	/** The oldest prefetched task no loop has taken yet. */
	private takePrefetched(): Lease | null {
		const now = Date.now();
		this.queue = this.queue.filter((l) => l.expiresAt > now);
		const lease = this.queue.find((l) => !this.taking.has(l.leaseId)) ?? null;
		if (lease) this.taking.add(lease.leaseId);
		return lease;
	}

	/** Computes one task, then idles for the CPU share; a prefetched task leaves the queue only once its result is stored. */
	private async run(slot: number, pool: ComputePool, lease: Lease, signal: AbortSignal, prefetched: boolean): Promise<void> {
		const started = performance.now();
		this.busy++;
		this.checkPressure();
		let outcome: 'stored' | 'aborted' | 'failed' = 'aborted';
		try {
			outcome = await this.work(slot, pool, lease, AbortSignal.any([signal, this.pauser.signal]), prefetched);
		} finally {
			this.busy--;
			this.checkPressure();
			if (prefetched) {
				this.taking.delete(lease.leaseId);
				// An aborted task stays prefetched for later; a failed one would only fail again.
				if (outcome !== 'aborted') this.queue = this.queue.filter((l) => l.leaseId !== lease.leaseId);
				if (outcome === 'failed') await this.deps.store?.removePrefetched(lease.leaseId).catch(() => {});
			}
			this.counts();
		}
		const stored = outcome === 'stored';
		// A prefetched result is committed as soon as the network lets it.
		if (prefetched && stored && !this.offline) void this.flush();
		const share = this.effectiveShare;
		if (share < CPU_SHARE_MAX && !signal.aborted) {
			this.setCurrent(slot, `resting (CPU share ${share}%)`);
			this.resting++;
			try {
				await sleep(((performance.now() - started) * (CPU_SHARE_MAX - share)) / share, signal);
			} finally {
				this.resting--;
			}
		}
	}

	/**
	 * A key caught with an invalid result takes no new work until it stakes its probation; it still
	 * commits, reveals and answers its disputes (a claim for no tasks is always allowed), so it can
	 * win the ones where it was right.
	 */
	private async onProbation(slot: number, reason: string, stop: AbortSignal): Promise<void> {
		if (this.probation !== reason) this.log(`No new work: ${reason}. Open disputes are still answered.`, 'bad');
		this.probation = reason;
		this.setCurrent(slot, 'no new work until the probation stake is staked');
		try {
			await this.exchange(0, stop);
		} catch (err) {
			if (!stop.aborted) this.setCurrent(slot, `relay unreachable, retrying (${describeError(err)})`);
		}
	}

	/** On leaving: commit what is finished and upload whatever is already open, briefly. */
	private async revealBeforeLeaving(): Promise<void> {
		if (this.outbox.size === 0) return;
		try {
			await this.exchange(0, AbortSignal.timeout(STOP_REVEAL_MS_MAX));
		} catch {
			// Leaving anyway: the leases expire on their own.
		}
	}

	private async heartbeat(held: Map<string, AbortController>): Promise<void> {
		await Promise.all(
			[...held].map(async ([leaseId, lost]) => {
				try {
					await this.deps.client.heartbeat(leaseId);
				} catch (err) {
					if (isRelayError(err, 'lease_expired') || isRelayError(err, 'lease_not_held')) {
						this.log(`Lease ${short(leaseId)} lost: ${describeError(err)}`, 'bad');
						held.delete(leaseId);
						lost.abort();
					}
				}
			})
		);
	}

	private async work(slot: number, pool: ComputePool, lease: Lease, signal: AbortSignal, prefetched: boolean): Promise<'stored' | 'aborted' | 'failed'> {
		const label = taskLabel(lease);
		try {
			this.setCurrent(slot, `computing ${label}`);
			const started = performance.now();
			const backend = backendForTask(this.trials, lease.kernel, lease.params, this.forced ?? this.backend ?? 'cpu');
			const out = await pool.compute(slot, lease.kernel, lease.kernelVersion, lease.params, signal, backend);
			const ms = Math.round(performance.now() - started);
			let bytes = out.bytes;
			let trace: BisectTrace | null = null;
			if (out.states) {
				// The test hook lies at the last step, so the lie is a consistent trace a dispute can bisect.
				if (this.faultCorrupt) out.states[out.states.length - 1] = (out.states[out.states.length - 1] ?? 0) ^ 0x01;
				trace = new BisectTrace(out.states, out.stateBytes);
				bytes = trace.final;
			} else if (this.faultCorrupt && bytes.length > 0) bytes[0] = (bytes[0] ?? 0) ^ 0xff;
			const sha256 = sha256Hex(bytes);
			const receipt = await signReceipt(
				{
					v: 1,
					taskId: lease.taskId,
					leaseId: lease.leaseId,
					kernel: lease.kernel,
					kernelVersion: lease.kernelVersion,
					sha256,
					worker: this.deps.signer.publicKeyHex
				},
				this.deps.signer.secretKey
			);
			if (signal.aborted) return 'aborted';
			// Commit-then-reveal: the commitment rides with the next claim; the upload waits until
			// every replica has committed, so nobody can copy this answer.
			const salt = bytesToHex(crypto.getRandomValues(new Uint8Array(16)));
			const commitment = resultCommitment({ leaseId: lease.leaseId, sha256, merkleRoot: trace?.root ?? null, salt });
			const store = this.deps.store;
			const result = { lease, bytes, receiptHeader: encodeReceiptHeader(receipt), salt, commitment, label, trace };
			await this.outbox.add(result, prefetched && store ? (r) => store.finishPrefetched(r) : undefined);
			this.computed++;
			this.log(`${capitalise(label)}: computed in ${ms} ms on ${out.backend === 'webgpu' ? 'WebGPU' : 'the CPU twin'}${prefetched ? ' (prefetched)' : ''}; its commitment goes with the next claim.`, 'info');
			return 'stored';
		} catch (err) {
			if (isAbortError(err) || signal.aborted) return 'aborted';
			this.log(`${capitalise(label)} failed: ${describeError(err)}`, 'bad');
			return 'failed';
		}
	}

	/** A dispute can open when another replica reveals later: keep the trace (bounded) to answer it. */
	private keepTrace(leaseId: string, trace: BisectTrace): void {
		const now = Date.now();
		for (const [id, t] of this.traces) if (t.until < now) this.traces.delete(id);
		if (this.traces.size >= TRACES_KEPT_MAX) this.traces.delete(this.traces.keys().next().value as string);
		this.traces.set(leaseId, { trace, until: now + TRACE_KEEP_MS });
	}

	/** Answers this round of each dispute from the trace it committed to. */
	private async answer(questions: readonly DisputeQuestion[]): Promise<void> {
		for (const q of questions) {
			const kept = this.traces.get(q.leaseId);
			if (!kept) {
				this.log(`Dispute ${short(q.disputeId)}: asked about a result this device no longer holds; it will lose on time.`, 'bad');
				continue;
			}
			try {
				const view = await this.deps.client.answerDispute(q.disputeId, kept.trace.answer(q.index));
				this.disputeAnswers++;
				this.log(`Dispute ${short(q.disputeId)}: answered step ${q.index} (round ${view.rounds + (view.state === 'bisecting' ? 1 : 0)}).`, 'info');
			} catch (err) {
				this.log(`Dispute ${short(q.disputeId)}: answer failed: ${describeError(err)}`, 'bad');
			}
		}
	}

	/** As a trusted referee: recompute each disputed step handed to this key. */
	private async referee(): Promise<void> {
		this.refereePolledAt = Date.now();
		try {
			const { referee } = await this.deps.client.pollDisputes();
			for (const t of referee) {
				const step = REFEREE_STEPS[t.kernel];
				if (!step) continue;
				const state = step(t.params, t.index, t.prior === null ? null : hexToBytes(t.prior));
				const view = await this.deps.client.refereeDispute(t.disputeId, { index: t.index, state: bytesToHex(state) });
				this.refereeSteps++;
				this.log(`Refereed dispute ${short(t.disputeId)}: step ${t.index}, ${view.winner === 'neither' ? 'neither side held' : `side ${view.winner?.toUpperCase()} won`}.`, 'info');
			}
		} catch (err) {
			this.log(`Refereeing failed: ${describeError(err)}`, 'bad');
		}
	}

	private async reveal(h: HeldResult): Promise<void> {
		try {
			const res = await this.deps.client.submitResult(h.lease.leaseId, h.bytes, h.receiptHeader, h.salt, h.trace?.reveal());
			this.outbox.done(h.lease.leaseId);
			if (h.trace) this.keepTrace(h.lease.leaseId, h.trace);
			this.tasksDone++;
			this.paidMicro += res.paidMicro;
			if (res.verdict === 'accepted') this.accepted++;
			else if (res.verdict === 'rejected' || res.verdict === 'failed') this.rejected++;
			else this.pending++;
			const tone = res.verdict === 'accepted' ? 'good' : res.verdict === 'rejected' || res.verdict === 'failed' ? 'bad' : 'info';
			this.log(`${capitalise(h.label)}: uploaded, ${res.verdict}${res.paidMicro > 0 ? `, +${res.paidMicro} µcr` : ''}.`, tone);
			this.deps.onSubmitted?.(res);
		} catch (err) {
			if (isRelayError(err, 'reveal_not_open')) {
				this.outbox.retry(h.lease.leaseId);
				return;
			}
			this.outbox.done(h.lease.leaseId);
			this.log(`${capitalise(h.label)}: upload failed: ${describeError(err)}`, 'bad');
		}
	}
}

export function adapterLabel(adapter: AdapterInfo | null): string {
	if (!adapter) return 'unknown adapter';
	const name = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ');
	return name || adapter.description || 'unknown adapter';
}

/** `tile 7 of job j99ad2e` when the task id is `<jobId>:<idx>`, else the shortened task id. */
function taskLabel(lease: Lease): string {
	const prefix = `${lease.jobId}:`;
	const job = lease.jobId.slice(0, 8);
	return lease.taskId.startsWith(prefix) ? `tile ${lease.taskId.slice(prefix.length)} of job ${job}` : `task ${short(lease.taskId)}`;
}

const short = (id: string) => (id.length > 10 ? `${id.slice(0, 8)}…` : id);
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
