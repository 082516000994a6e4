import type { Response } from 'express';
import type { ErrorCode } from '../../src/lib/protocol/errors.js';
import { HttpError } from './http-error.js';

/** A 429 that tells the client when to come back (the Retry-After header, in whole seconds). */
export class RateLimited extends HttpError {
	constructor(
		message: string,
		readonly retryAfterMs: number,
		code: ErrorCode = 'rate_limited'
	) {
		super(429, code, message);
	}
}

export function setRetryAfter(res: Response, retryAfterMs: number): void {
	res.setHeader('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
}
