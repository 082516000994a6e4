import type { Response } from 'express';
import type { ErrorBody } from '../../src/lib/protocol/errors.js';
import type { HttpError } from './http-error.js';
import { RateLimited, setRetryAfter } from './rate-limited.js';

/** Writes a refusal as `{error:{code,message}}`, with Retry-After on a 429 that says when. */
export function sendError(res: Response, err: HttpError): void {
	if (err instanceof RateLimited) setRetryAfter(res, err.retryAfterMs);
	const body: ErrorBody = { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } };
	res.status(err.status).json(body);
}
