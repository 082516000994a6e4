// One simulated contributor device for the liveness simulation: the real contributor loop
// (src/lib/contributor) in Node with a device's speed. It reports its speed for each kernel class
// (so the relay fits tasks and leases to it), takes two leases a claim as the browser does,
// "computes" each for price ÷ speed seconds (the CPU twin gives the bytes; a sleep stands for the
// device's time) while heartbeating, commits with the next claim, re-sends commitments that run
// low, and reveals when the relay lists them. It can leave in the middle of a task, losing
// everything in flight (a closed tab: nothing revealed on the way out), and come back later with
// the same key and nothing held. Everything it holds is bounded by the loop's own bounds.
import * as v from 'valibot';
import type { Device } from '../src/lib/protocol/devices.js';
import type { Lease } from '../src/lib/protocol/leases.js';
import { computeTileCpu } from '../src/lib/kernels/mandelbrot/cpu-twin.js';
import { mandelbrotMeta } from '../src/lib/kernels/mandelbrot/meta.js';
import { sleep } from '../src/lib/contributor/clock.js';
import type { ContributorCompute } from '../src/lib/contributor/ports.js';
import { ApiClient } from '../relay/testing/api-client.js';
import { nodeContributor } from '../relay/testing/node-contributor.js';
import { NodeSigner } from '../relay/testing/node-signer.js';

/** Step failures said on stderr, at most. */
const FAILURES_LOGGED_MAX = 3;

export interface DeviceEvents {
	/** A task was leased (first lease of a task marks when it started). */
	leased(lease: Lease, device: SimDevice): void;
	/** A reveal came back with this verdict. */
	verdict(lease: Lease, verdict: string, paidMicro: number): void;
	/** The device left with these leases unfinished (they will lapse on the relay). */
	left(leases: readonly Lease[]): void;
}

export class SimDevice {
	/** A client of this device's key, for whoever drives the simulation. */
	readonly client: ApiClient;
	/** Milliseconds this device was online in all (its share of the run's compute). */
	onlineMs = 0;
	stepFailures = 0;
	private leaving: AbortController | null = null;

	constructor(
		private readonly baseUrl: string,
		readonly id: number,
		readonly network: string,
		/** Work units (µcr of task price) per second. */
		readonly speed: number,
		readonly leaseMs: number,
		private readonly events: DeviceEvents,
		private readonly signer = new NodeSigner()
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

	/** The CPU twin for the bytes, then price ÷ speed of the device's time. */
	private compute(): ContributorCompute {
		const device = this.device();
		return {
			profile: () => ({ backend: 'cpu', device }),
			compute: async (_slot, lease, signal) => {
				const p = v.parse(mandelbrotMeta.paramsSchema, lease.params);
				const bytes = computeTileCpu(p);
				const price = Math.ceil((p.w * p.h * p.maxIter * p.limbs) / 10_000);
				await sleep((price / this.speed) * 1000, signal);
				if (signal.aborted) throw signal.reason;
				return { bytes, states: null, stateBytes: 0, backend: 'cpu' };
			}
		};
	}

	/** Contributes until `stop` aborts or `leave()` is called; call again to come back (same key, nothing held). */
	async run(stop: AbortSignal): Promise<void> {
		const leaving = new AbortController();
		this.leaving = leaving;
		const signal = AbortSignal.any([stop, leaving.signal]);
		const onlineSince = Date.now();
		// Leased and not yet uploaded or dropped: what leaving loses.
		const open = new Map<string, Lease>();
		const { loop } = nodeContributor({
			url: this.baseUrl,
			signer: this.signer,
			address: this.network,
			kernels: ['mandelbrot'],
			leaseMs: this.leaseMs,
			compute: this.compute(),
			events: {
				leased: (leases) => {
					for (const l of leases) {
						open.set(l.leaseId, l);
						this.events.leased(l, this);
					}
				},
				uploaded: (l, res) => {
					open.delete(l.leaseId);
					this.events.verdict(l, res.verdict, res.paidMicro);
				},
				uploadFailed: (l) => void open.delete(l.leaseId),
				dropped: (l) => void open.delete(l.leaseId),
				claimFailed: (err) => {
					if (++this.stepFailures <= FAILURES_LOGGED_MAX) console.error(`[sim] device ${this.id}: ${(err as Error).message}`);
				}
			}
		});
		try {
			if (signal.aborted) return;
			await loop.start(1);
			await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
			await loop.stop({ reveal: false });
		} finally {
			this.onlineMs += Date.now() - onlineSince;
			// Left (not stopped at the end): whatever it held is lost, and lapses on the relay.
			if (leaving.signal.aborted && !stop.aborted) this.events.left([...open.values()]);
		}
	}

	/** Leaves now: tasks in flight and results not yet revealed are lost (a closed tab). */
	leave(): void {
		this.leaving?.abort();
	}
}
