// The device conditions that hold work back or slow it, each where the browser has the API:
// only while charging (Battery Status), back off under CPU pressure (Compute Pressure), one
// computing tab per device (Web Locks); and the screen wake lock that keeps a kiosk or classroom
// device going. Each watcher returns how to stop watching.
import type { WorkGate } from '../state/work-gate.svelte';

/** The Web Lock one computing tab per device holds. */
const COMPUTE_LOCK = 'mycelia-compute';

const REASONS = {
	battery: 'paused: on battery',
	lock: 'waiting: another Mycelia tab on this device is computing'
} as const;

export type PressureState = 'nominal' | 'fair' | 'serious' | 'critical';

interface BatteryLike extends EventTarget {
	charging: boolean;
	level: number;
}

/** Holds work back while the device runs on battery; null when the browser cannot tell. */
export async function watchCharging(gate: WorkGate): Promise<(() => void) | null> {
	const nav = navigator as Navigator & { getBattery?: () => Promise<BatteryLike> };
	if (typeof nav.getBattery !== 'function') return null;
	const battery = await nav.getBattery();
	const update = () => gate.set('battery', battery.charging ? null : REASONS.battery);
	battery.addEventListener('chargingchange', update);
	update();
	return () => {
		battery.removeEventListener('chargingchange', update);
		gate.set('battery', null);
	};
}

interface PressureRecordLike {
	state: PressureState;
}
interface PressureObserverLike {
	observe(source: 'cpu', options?: { sampleInterval?: number }): Promise<void>;
	disconnect(): void;
}
type PressureObserverCtor = new (callback: (records: PressureRecordLike[]) => void) => PressureObserverLike;

/** Reports the CPU pressure state as it changes; null when the browser has no Compute Pressure. */
export async function watchPressure(onState: (state: PressureState) => void): Promise<(() => void) | null> {
	const Observer = (globalThis as { PressureObserver?: PressureObserverCtor }).PressureObserver;
	if (!Observer) return null;
	const observer = new Observer((records) => {
		const state = records.at(-1)?.state;
		if (state) onState(state);
	});
	try {
		await observer.observe('cpu', { sampleInterval: 1_000 });
	} catch {
		return null;
	}
	return () => {
		observer.disconnect();
		onState('nominal');
	};
}

/**
 * Takes the device-wide compute lock, so two tabs never compute at once. While another tab holds
 * it the gate says so, and the lock is taken as soon as that tab lets go. Returns the release;
 * without Web Locks (very old browsers) there is nothing to hold.
 */
export function holdComputeLock(gate: WorkGate): () => void {
	if (typeof navigator === 'undefined' || !navigator.locks) return () => {};
	const quit = new AbortController();
	let release: () => void = () => {};
	const held = new Promise<void>((resolve) => (release = resolve));
	const hold = async () => {
		gate.set('lock', null);
		await held;
	};
	gate.set('lock', REASONS.lock);
	void navigator.locks
		.request(COMPUTE_LOCK, { ifAvailable: true }, async (lock) => {
			if (lock) return hold();
			// Someone else computes: queue for the lock (outside this callback, which holds nothing).
			void navigator.locks.request(COMPUTE_LOCK, { signal: quit.signal }, hold).catch(() => {});
		})
		.catch(() => gate.set('lock', null));
	return () => {
		quit.abort();
		release();
		gate.set('lock', null);
	};
}

/** Keeps the screen on while contributing, re-taken whenever the page becomes visible again. */
export class ScreenWake {
	/** Why the wake lock could not be held, for the status; null while it holds or is off. */
	error: string | null = null;
	private sentinel: WakeLockSentinel | null = null;
	private wanted = false;
	private readonly onVisible = () => {
		if (document.visibilityState === 'visible' && this.wanted) void this.acquire();
	};

	get supported(): boolean {
		return typeof navigator !== 'undefined' && 'wakeLock' in navigator;
	}

	get held(): boolean {
		return this.sentinel !== null && !this.sentinel.released;
	}

	async enable(): Promise<void> {
		this.wanted = true;
		document.addEventListener('visibilitychange', this.onVisible);
		await this.acquire();
	}

	disable(): void {
		this.wanted = false;
		document.removeEventListener('visibilitychange', this.onVisible);
		void this.sentinel?.release();
		this.sentinel = null;
		this.error = null;
	}

	private async acquire(): Promise<void> {
		if (!this.supported) {
			this.error = 'this browser cannot keep the screen awake';
			return;
		}
		try {
			this.sentinel = await navigator.wakeLock.request('screen');
			this.error = null;
		} catch (err) {
			this.error = `the screen may sleep: ${err instanceof Error ? err.message : String(err)}`;
		}
	}
}
