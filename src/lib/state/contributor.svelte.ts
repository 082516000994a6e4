// The browser's contributor: the shared contributor loop ($lib/contributor/contributor-loop.ts,
// which claims, computes, commits, reveals, heartbeats and answers disputes, one loop per pool
// worker) in Svelte state, with what only a browser has around it: the comlink worker pool, the
// durable IndexedDB work store, the gate the page's conditions close (pause, battery, another
// tab's compute lock, CPU pressure) and the CPU-pressure probe.
//
// Before the first task each kernel's cost classes are timed on the CPU twin and on WebGPU
// (kernel-trials.ts); each task runs on the faster for its class, and the speeds go with every
// claim so the relay fits leases to this device.
//
// Offline: prefetch() leases a bounded batch for OFFLINE_LEASE_MS and keeps it in IndexedDB
// (work-store.ts); the loops compute prefetched tasks first, with or without a network, and every
// finished result sits in the durable outbox until it is committed and revealed, on the next
// claim, on `online`, when the page becomes visible, or when Background Sync fires (flush()).
// A CPU share below 100% idles each worker in proportion to the time it computed.
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
import type { Device, Info, Lease, LeaseLimit, SubmitResponse } from '$lib/protocol';
import { ContributorLoop, CPU_SHARE_MAX } from '$lib/contributor/contributor-loop';
import type { ActivityTone, Computed } from '$lib/contributor/ports';
import { statusLine, type ContributorState } from '$lib/contributor/status-line';
import { REFEREE_STEPS } from '$lib/kernels/compute-registry';
import { signReceipt } from '$lib/verify/receipt';
import type { AdapterInfo, InitResult } from '$lib/worker/compute-worker';
import { ComputePool, clampPoolSize, defaultPoolSize } from '$lib/worker/pool';
import { relayClientPort } from '../relay-api/contributor-port';
import type { PressureState } from '../device/device-conditions';
import { deviceProfile, deviceScore } from '../device/device-profile';
import { backendForTask, runKernelTrials, type ForcedBackend, type KernelTrial } from '../device/kernel-trials';
import { PressureProbe, type ProbeState } from '../device/pressure-probe';
import { describeError, type RelayClient, type Signer } from '../relay-api/relay-client';
import { WorkGate } from './work-gate.svelte';
import type { WorkStore } from '../device/work-store';

export { CPU_SHARE_MAX };
const ACTIVITY_LINES_MAX = 50;

/** Each bisect kernel's one-step recomputation, for when this key referees. */

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
	tone: ActivityTone;
}

/** CPU share choices: each worker idles (100 − share)% of the time, in proportion to its compute time. */
export const CPU_SHARE_MIN = 10;
/** Under critical CPU pressure from other work (pressure-probe.ts) the share is capped here. */
const PRESSURE_SHARE_MAX = 50;

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
	#offline = $state(false);

	private readonly loop: ContributorLoop;
	private pool: ComputePool | null = null;
	private init: InitResult | null = null;
	private readonly deps: ContributorDeps;
	private forced: ForcedBackend = null;
	private readonly probe = new PressureProbe();
	private probeTimer: ReturnType<typeof setTimeout> | null = null;

	constructor(deps: ContributorDeps) {
		this.deps = deps;
		this.loop = new ContributorLoop({
			relay: relayClientPort(deps.client),
			signer: { publicKeyHex: deps.signer.publicKeyHex, signReceipt: (unsigned) => signReceipt(unsigned, deps.signer.secretKey) },
			compute: { prepare: () => this.measure(), profile: () => this.profile(), compute: (slot, lease, signal) => this.compute(slot, lease, signal) },
			kernels: deps.kernels,
			leaseMs: deps.leaseMs,
			store: deps.store,
			prefetchMax: deps.prefetchMax,
			gate: this.gate,
			hooks: { produce: (_lease, compute) => this.produce(compute) },
			events: { change: () => this.sync(), log: (text, tone) => this.log(text, tone), uploaded: (_lease, res) => this.deps.onSubmitted?.(res) },
			refereeSteps: REFEREE_STEPS,
			share: () => this.effectiveShare
		});
	}

	/** The last request failed for want of a network (the browser's `offline` event says so sooner). */
	get offline(): boolean {
		return this.#offline;
	}

	set offline(value: boolean) {
		this.loop.offline = value;
	}

	/** Loads what an earlier page left (prefetched tasks, unsent results); then uploads what it can. */
	restore(): Promise<void> {
		return this.loop.restore();
	}

	get prefetchMax(): number {
		return this.deps.prefetchMax;
	}

	/** Why work is not running, or what it is doing: the one line the page shows. */
	get status(): string {
		return statusLine({
			state: this.state,
			offline: this.offline,
			unsent: this.unsent,
			prefetched: this.prefetched,
			gateReason: this.gate.reason,
			busy: this.busy,
			resting: this.resting,
			measuring: this.measuringNow,
			effectiveShare: this.effectiveShare,
			backingOff: this.backingOff,
			noWork: this.noWork,
			claimLimit: this.claimLimit,
			awaitingReveal: this.awaitingReveal
		});
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

	/** Copies the loop's view into Svelte state; a change in the tasks running re-runs the pressure probe. */
	private sync(): void {
		const l = this.loop;
		this.state = l.state;
		this.workers = l.workers;
		this.tasksDone = l.tasksDone;
		this.computed = l.computed;
		this.accepted = l.accepted;
		this.rejected = l.rejected;
		this.pending = l.pending;
		this.awaitingReveal = l.awaitingReveal;
		this.disputeAnswers = l.disputeAnswers;
		this.refereeSteps = l.refereeSteps;
		this.trusted = l.trusted;
		this.paidMicro = l.paidMicro;
		if (l.current.length !== this.current.length || l.current.some((c, i) => c !== this.current[i])) this.current = [...l.current];
		this.prefetched = l.prefetched;
		this.unsent = l.unsent;
		this.#offline = l.offline;
		this.resting = l.resting;
		this.noWork = l.noWork;
		this.claimLimit = l.claimLimit;
		this.prefetchLimit = l.prefetchLimit;
		this.measuringNow = l.measuring;
		if (this.busy !== l.busy) {
			this.busy = l.busy;
			this.checkPressure();
		}
	}

	/** Pause now: tasks in flight stop (prefetched ones stay for later); nothing finished is lost. */
	pause(): void {
		this.gate.set('user', 'paused');
		this.loop.abortInFlight();
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
	prefetch(count: number): Promise<number> {
		if (!this.deps.store) return Promise.reject(new Error('this browser has no IndexedDB, so tasks cannot be kept for offline work'));
		return this.loop.prefetch(count);
	}

	/** Commits and uploads what is finished, now (on `online`, on visibility, on Background Sync). */
	flush(): Promise<void> {
		return this.loop.flush();
	}

	async start(options: Pick<ContributorOptions, 'workers' | 'backend' | 'faultCorrupt'>): Promise<void> {
		if (this.state !== 'idle') return;
		this.faultCorrupt = options.faultCorrupt;
		this.forced = options.backend === 'auto' ? null : options.backend;
		const started = await this.loop.start(options.workers, async () => {
			const pool = new ComputePool(options.workers, { backend: options.backend });
			this.pool = pool;
			try {
				this.init = await pool.init();
			} catch (err) {
				pool.terminate();
				this.pool = null;
				throw err;
			}
			this.backend = this.init.backend;
			this.adapter = this.init.adapter;
			const where = this.adapter ? `WebGPU available (${adapterLabel(this.adapter)}) and the CPU twin` : 'the CPU twin (no WebGPU)';
			return { workers: pool.size, where };
		});
		if (started && this.faultCorrupt) this.log('Test hook on: every result will be corrupted before signing.', 'bad');
	}

	async stop(): Promise<void> {
		if (this.state === 'idle' || this.state === 'stopping') return;
		await this.loop.stop();
		this.pool?.terminate();
		this.pool = null;
		if (this.probeTimer) clearTimeout(this.probeTimer);
		this.gate.set('pressure', null);
	}

	/** What each claim says about this device: the backend of its shallowest class, and its profile once measured. */
	private profile(): { backend: 'webgpu' | 'cpu'; device: Device | null } {
		return { backend: this.trials.find((t) => t.cls === 0)?.backend ?? this.backend ?? 'cpu', device: this.device };
	}

	/** One task on pool worker `slot`, on the backend its trials chose. */
	private compute(slot: number, lease: Lease, signal: AbortSignal): Promise<Computed> {
		const pool = this.pool;
		if (!pool) return Promise.reject(new Error('the workers are not running'));
		const backend = backendForTask(this.trials, lease.kernel, lease.params, this.forced ?? this.backend ?? 'cpu');
		return pool.compute(slot, lease.kernel, lease.kernelVersion, lease.params, signal, backend);
	}

	/** The lying-worker test hook: flips a byte of every result before it is hashed and signed. */
	private async produce(compute: () => Promise<Computed>): Promise<Computed> {
		const out = await compute();
		if (!this.faultCorrupt) return out;
		// A bisect result lies at the last step, so the lie is a consistent trace a dispute can bisect.
		if (out.states) out.states[out.states.length - 1] = (out.states[out.states.length - 1] ?? 0) ^ 0x01;
		else if (out.bytes.length > 0) out.bytes[0] = (out.bytes[0] ?? 0) ^ 0xff;
		return out;
	}

	/**
	 * Times every kernel this device takes on both backends once per start (kernel-trials.ts), so
	 * each task runs on the faster and the relay can fit tasks and leases to this device.
	 */
	private async measure(): Promise<void> {
		const pool = this.pool;
		const init = this.init;
		if (!pool || !init) return;
		try {
			const id = this.deps.store ? await this.deps.store.deviceId() : 'memory-only-device';
			const trials = await runKernelTrials(
				async (kernel, version, params, backend, signal) => void (await pool.compute(0, kernel, version, params, signal, backend)),
				this.deps.kernels,
				{ hasGpu: init.adapter !== null, force: this.forced }
			);
			this.trials = trials;
			this.device = deviceProfile(id, init, deviceScore(trials), trials);
			const gpu = trials.filter((t) => t.backend === 'webgpu').length;
			this.log(`Measured ${trials.length} kernel classes: ${gpu} run${gpu === 1 ? 's' : ''} faster on WebGPU, ${trials.length - gpu} on the CPU twin.`, 'info');
		} catch (err) {
			this.device = null;
			this.log(`Could not measure this device (${describeError(err)}); the relay will size tasks without it.`, 'bad');
		}
	}

	private log(text: string, tone: ActivityTone): void {
		const next = [...this.activity, { at: Date.now(), text, tone }];
		this.activity = next.length > ACTIVITY_LINES_MAX ? next.slice(next.length - ACTIVITY_LINES_MAX) : next;
	}
}

export function adapterLabel(adapter: AdapterInfo | null): string {
	if (!adapter) return 'unknown adapter';
	const name = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ');
	return name || adapter.description || 'unknown adapter';
}
