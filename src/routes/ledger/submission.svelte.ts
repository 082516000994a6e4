// One form's submission state: busy flag, messages, and the idempotency `ref` it sends. The ref
// stays the same while the same request is retried after an unknown outcome (a network error, a
// 5xx), so a retry can never take effect twice; a success or a definite refusal (4xx) retires it.
import { describeError, isRelayError } from '$lib/relay-api/relay-client';
import { randomRef } from './words';

export class Submission {
	busy = $state(false);
	error = $state<string | null>(null);
	done = $state<string | null>(null);

	private ref = '';
	private refFor = '';

	constructor(
		private readonly prefix: string,
		/** The button's label, for "press … again" hints. */
		private readonly action: string
	) {}

	/** Sends `request` (with its ref) unless one is already in flight; null on failure. */
	async run<T>(request: unknown, send: (ref: string) => Promise<T>): Promise<T | null> {
		if (this.busy) return null;
		const fingerprint = JSON.stringify(request);
		if (fingerprint !== this.refFor) {
			this.ref = randomRef(this.prefix);
			this.refFor = fingerprint;
		}
		this.busy = true;
		this.error = null;
		this.done = null;
		try {
			const out = await send(this.ref);
			this.refFor = '';
			return out;
		} catch (err) {
			if (isRelayError(err) && err.status >= 400 && err.status < 500) this.refFor = '';
			this.error = this.message(err);
			return null;
		} finally {
			this.busy = false;
		}
	}

	private message(err: unknown): string {
		const text = describeError(err);
		if (isRelayError(err, 'insufficient_funds')) {
			return /^not enough credits/i.test(text) ? `${text[0]!.toUpperCase()}${text.slice(1)}.` : `Not enough credits: ${text}`;
		}
		if (isRelayError(err, 'conflict')) return `${text} — press ${this.action} again to send it as a new request.`;
		if (isRelayError(err, 'network') || (isRelayError(err) && err.status >= 500)) {
			return `${text} — press ${this.action} again to retry safely (it cannot be applied twice).`;
		}
		return text;
	}
}
