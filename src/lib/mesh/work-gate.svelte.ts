// Whether this device may start another task now, and if not, why. Each condition that can hold
// work back (the user's pause, running on battery, another tab holding the compute lock, a
// moment's hold to tell whose CPU pressure it is) sets or clears its own reason; the worker loops wait at the gate between tasks. The
// reason shown is the first one set, in the order of GATE_ORDER, so the status always says the
// one that matters most.
export type GateCondition = 'user' | 'lock' | 'battery' | 'pressure';

/** Most important first: a pause by the user explains everything else. */
const GATE_ORDER: readonly GateCondition[] = ['user', 'lock', 'battery', 'pressure'];

export class WorkGate {
	private readonly reasons = $state<Partial<Record<GateCondition, string>>>({});
	private waiters: (() => void)[] = [];

	/** Why work is held back, or null when it may run. */
	get reason(): string | null {
		for (const c of GATE_ORDER) {
			const r = this.reasons[c];
			if (r !== undefined) return r;
		}
		return null;
	}

	get open(): boolean {
		return this.reason === null;
	}

	has(condition: GateCondition): boolean {
		return this.reasons[condition] !== undefined;
	}

	/** Holds work back for `condition`, saying why; null lets it go again. */
	set(condition: GateCondition, reason: string | null): void {
		if (reason === null) delete this.reasons[condition];
		else this.reasons[condition] = reason;
		if (this.open) {
			const waiting = this.waiters;
			this.waiters = [];
			for (const w of waiting) w();
		}
	}

	/** Resolves once the gate is open (at once if it is), or when `signal` aborts. */
	wait(signal: AbortSignal): Promise<void> {
		if (this.open || signal.aborted) return Promise.resolve();
		return new Promise<void>((resolve) => {
			const done = () => {
				signal.removeEventListener('abort', done);
				this.waiters = this.waiters.filter((w) => w !== done);
				resolve();
			};
			this.waiters.push(done);
			signal.addEventListener('abort', done, { once: true });
		});
	}
}
