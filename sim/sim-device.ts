// One simulated contributor device for the liveness simulation: the browser contributor's
// protocol in Node with a device's speed. It reports its speed for each kernel class (so the relay
// fits tasks and leases to it), takes two leases a claim as the browser does, "computes" each for
// price ÷ speed seconds (the CPU twin gives the bytes; a sleep stands for the device's time) while
// heartbeating, commits with the next claim, re-sends commitments that run low, and reveals when
// the relay lists them. It can leave in the middle of a task, losing everything in flight, and
// come back later with the same key. Everything it holds is bounded.
import * as v from 'valibot';
import type { Device } from '../src/lib/protocol/devices.js';
import type { ClaimResponse, Commitment, Lease } from '../src/lib/protocol/leases.js';
import { CLAIM_COMMITMENTS_MAX } from '../src/lib/protocol/limits.js';
import { computeTileCpu } from '../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../src/lib/kernels/mandelbrot/meta.js';
import { ApiClient } from '../relay/testing/api-client.js';
import { NodeSigner } from '../relay/testing/node-signer.js';

/** As the browser contributor (contributor.svelte.ts): two leases a claim, idle backoff, heartbeats. */
const LEASES_PER_CLAIM = 2;
const IDLE_MS_MIN = 500;
const IDLE_MS_MAX = 5_000;
const HEARTBEAT_MS_MAX = 10_000;
const HELD_MAX = 64;

const sleep = (ms: number, signal?: AbortSignal) =>
	new Promise<void>((resolve) => {
		if (signal?.aborted) return resolve();
		const t = setTimeout(done, ms);
		signal?.addEventListener('abort', done, { once: true });
		function done() {
			clearTimeout(t);
			signal?.removeEventListener('abort', done);
			resolve();
		}
	});

export interface DeviceEvents {
	/** A task was leased (first lease of a task marks when it started). */
	leased(lease: Lease, device: SimDevice): void;
	/** A reveal came back with this verdict. */
	verdict(lease: Lease, verdict: string, paidMicro: number): void;
	/** The device left with these leases unfinished (they will lapse on the relay). */
	left(leases: readonly Lease[]): void;
}

interface Held {
	lease: Lease;
	bytes: Uint8Array;
	commitment: Commitment;
	committed: boolean;
	expiresAt: number;
}

export class SimDevice {
	readonly client: ApiClient;
	/** Milliseconds this device was online in all (its share of the run's compute). */
	onlineMs = 0;
	stepFailures = 0;
	private onlineSince: number | null = null;
	private held = new Map<string, Held>();
	private leaving: AbortController | null = null;

	constructor(
		baseUrl: string,
		readonly id: number,
		readonly network: string,
		/** Work units (µcr of task price) per second. */
		readonly speed: number,
		readonly leaseMs: number,
		private readonly events: DeviceEvents,
		signer = new NodeSigner()
	) {
		this.client = new ApiClient(baseUrl, signer);
		this.client.headers = { 'x-forwarded-for': network };
	}

	get key(): string {
		return this.client.key;
	}

	private device(): Device {
		const kernels = Array.from({ length: mandelbrotMeta.costClasses }, (_, cls) => ({ kernel: 'mandelbrot', cls, backend: 'cpu' as const, speed: this.speed }));
		return { id: `sim-device-${this.id}`, label: `sim ${this.id}`, cores: 1, memoryGb: 4, gpu: null, score: this.speed, kernels };
	}

	/** Contributes until `stop` aborts or `leave()` is called; call again to come back (same key, nothing held). */
	async run(stop: AbortSignal): Promise<void> {
		const leaving = new AbortController();
		this.leaving = leaving;
		const signal = AbortSignal.any([stop, leaving.signal]);
		this.onlineSince = Date.now();
		let idleMs = IDLE_MS_MIN;
		try {
			while (!signal.aborted) {
				let leases: Lease[] = [];
				try {
					leases = await this.claim(this.held.size >= HELD_MAX ? 0 : LEASES_PER_CLAIM);
				} catch (err) {
					if (++this.stepFailures <= 3) console.error(`[sim] device ${this.id}: ${(err as Error).message}`);
					await sleep(idleMs, signal);
					continue;
				}
				if (leases.length === 0) {
					const waiting = [...this.held.values()].some((h) => h.committed);
					await sleep(waiting ? IDLE_MS_MIN : idleMs, signal);
					if (!waiting) idleMs = Math.min(IDLE_MS_MAX, idleMs * 2);
					continue;
				}
				idleMs = IDLE_MS_MIN;
				for (const l of leases) this.events.leased(l, this);
				await this.computeAll(leases, signal);
			}
		} finally {
			this.onlineMs += Date.now() - (this.onlineSince ?? Date.now());
			this.onlineSince = null;
			// Left (not stopped at the end): whatever it held is lost, and lapses on the relay.
			if (leaving.signal.aborted && !stop.aborted) {
				this.events.left([...this.held.values()].map((h) => h.lease));
				this.held.clear();
			}
		}
	}

	/** Leaves now: tasks in flight and results not yet revealed are lost (a closed tab). */
	leave(): void {
		this.leaving?.abort();
	}

	private async claim(maxTasks: number): Promise<Lease[]> {
		const now = Date.now();
		const fresh = [...this.held.values()].filter((h) => !h.committed).map((h) => h.commitment);
		const refresh = [...this.held.values()].filter((h) => h.committed && h.expiresAt - now < this.leaseMs / 2).map((h) => h.commitment);
		const commitments = [...fresh, ...refresh].slice(0, CLAIM_COMMITMENTS_MAX);
		const res = await this.client.claim({ maxTasks, kernels: ['mandelbrot'], commitments, device: this.device() });
		if (res.status !== 200) throw new Error(`claim ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`);
		const body = res.body as ClaimResponse;
		for (const o of body.commitments) {
			const h = this.held.get(o.leaseId);
			if (!h) continue;
			if (o.ok) {
				h.committed = true;
				h.expiresAt = o.expiresAt;
			} else this.held.delete(o.leaseId);
		}
		for (const id of body.reveal) await this.reveal(id);
		for (const [id, h] of this.held) if (h.expiresAt < Date.now()) this.held.delete(id);
		return body.leases;
	}

	private async reveal(leaseId: string): Promise<void> {
		const h = this.held.get(leaseId);
		if (!h) return;
		const res = await this.client.reveal<{ verdict: string; paidMicro: number }>(h.lease, h.bytes);
		if (res.status === 425) return;
		this.held.delete(leaseId);
		if (res.status === 200) this.events.verdict(h.lease, res.body.verdict, res.body.paidMicro);
	}

	/** Computes the claim's leases one after the other, heartbeating every held one meanwhile. */
	private async computeAll(leases: Lease[], signal: AbortSignal): Promise<void> {
		const live = new Set(leases.map((l) => l.leaseId));
		const beat = setInterval(() => {
			for (const l of leases) {
				if (!live.has(l.leaseId)) continue;
				void this.client.post(`/leases/${l.leaseId}/heartbeat`, {}).then((r) => {
					if (r.status === 410 || r.status === 409) live.delete(l.leaseId);
				}, () => undefined);
			}
		}, Math.max(1_000, Math.min(HEARTBEAT_MS_MAX, Math.floor(this.leaseMs / 3))));
		try {
			for (const [i, lease] of leases.entries()) {
				if (signal.aborted) {
					this.events.left(leases.slice(i));
					return;
				}
				if (!live.has(lease.leaseId)) continue;
				const p = v.parse(mandelbrotMeta.paramsSchema, lease.params);
				const bytes = computeTileCpu(p);
				const price = Math.ceil((p.w * p.h * p.maxIter * p.limbs) / 10_000);
				await sleep((price / this.speed) * 1000, signal);
				if (signal.aborted) {
					this.events.left(leases.slice(i));
					return;
				}
				live.delete(lease.leaseId);
				this.held.set(lease.leaseId, { lease, bytes, commitment: this.client.commitmentFor(lease, bytes), committed: false, expiresAt: lease.expiresAt });
			}
		} finally {
			clearInterval(beat);
		}
	}
}
