// Whether a contributor may start another task now, and if not, why. Each condition that can
// hold work back (a pause, running on battery, another tab holding the compute lock, the end of
// a simulated run) sets or clears its own reason; the worker loops wait at the gate between
// tasks. The reason shown is the first one set in the host's order, so the status always says the
// one that matters most. The browser keeps the reasons in Svelte state (state/work-gate.svelte.ts).
export class WorkGate<C extends string = string> {
	private waiters: (() => void)[] = [];

	/** `order`: most important first. `reasons`: where they are kept (a reactive record in the browser). */
	constructor(
		private readonly order: readonly C[],
		private readonly reasons: Partial<Record<C, string>> = {}
	) {}

	/** Why work is held back, or null when it may run. */
	get reason(): string | null {
		for (const c of this.order) {
			const r = this.reasons[c];
			if (r !== undefined) return r;
		}
		return null;
	}

	get open(): boolean {
		return this.reason === null;
	}

	has(condition: C): boolean {
		return this.reasons[condition] !== undefined;
	}

	/** Holds work back for `condition`, saying why; null lets it go again. */
	set(condition: C, reason: string | null): void {
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
