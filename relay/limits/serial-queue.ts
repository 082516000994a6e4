import { rateLimited } from '../domain-error.js';

/**
 * Runs tasks one at a time, at most `waitingMax` waiting. Starter grants go through one: every
 * grant updates the same allowance rows, and on Postgres concurrent SERIALIZABLE transactions
 * on one row abort each other until their retries run out; one at a time they never collide
 * (relays sharing a database still can, and retry).
 */
export class SerialQueue {
	#tail: Promise<unknown> = Promise.resolve();
	#waiting = 0;

	constructor(
		readonly waitingMax: number,
		readonly what: string
	) {}

	run<T>(task: () => Promise<T>): Promise<T> {
		if (this.#waiting >= this.waitingMax) {
			return Promise.reject(rateLimited(`the relay is handling ${this.waitingMax} ${this.what} already; try again in a moment`, 1_000));
		}
		this.#waiting++;
		const result = this.#tail.then(task).finally(() => this.#waiting--);
		this.#tail = result.catch(() => undefined);
		return result;
	}
}
