import type { ErrorCode } from '../src/lib/protocol/errors.js';

export interface DomainErrorOptions {
	/** Machine-readable detail a client can show (validation issues, the estimate a budget missed). */
	details?: unknown;
	/** When the same request may be sent again (rate limits); said to HTTP clients as Retry-After. */
	retryAfterMs?: number;
	/**
	 * Refused only for now, with nothing wrong in the request itself: the same request may succeed
	 * later (a reveal sent before its commitment, no free join code left this moment).
	 */
	transient?: boolean;
}

/**
 * A refusal in the relay's own terms: a stable code from ERROR_CODES and a plain-words message.
 * Domain code (jobs, tasks, training, disputes, mesh, ledger limits) raises these and knows
 * nothing of HTTP; relay/api maps each to its status (relay/api/error-status.ts).
 */
export class DomainError extends Error {
	readonly details: unknown;
	readonly retryAfterMs: number | undefined;
	readonly transient: boolean;

	constructor(
		readonly code: ErrorCode,
		message: string,
		options: DomainErrorOptions = {}
	) {
		super(message);
		this.name = 'DomainError';
		this.details = options.details;
		this.retryAfterMs = options.retryAfterMs;
		this.transient = options.transient ?? false;
	}
}

export const badRequest = (message: string, details?: unknown) => new DomainError('bad_request', message, { details });
export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
/** Too much at once: come back after `retryAfterMs`. */
export const rateLimited = (message: string, retryAfterMs: number, code: ErrorCode = 'rate_limited') => new DomainError(code, message, { retryAfterMs });
