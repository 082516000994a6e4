import type { Response } from 'express';
import type { ErrorBody } from '../../src/lib/protocol/errors.js';
import { DomainError } from '../domain-error.js';
import { transportError } from './decode-request.js';
import { httpStatusOf, retryAfterSeconds } from './error-status.js';

/** Writes a refusal as `{error:{code,message}}` with its status, and Retry-After when it says when. */
export function sendError(res: Response, err: DomainError): void {
	const retry = retryAfterSeconds(err);
	if (retry !== null) res.setHeader('retry-after', String(retry));
	const body: ErrorBody = { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } };
	res.status(httpStatusOf(err)).json(body);
}

/** What a failed request answers: its refusal, a transport error in words, or (a bug) a 500 that says nothing changed. */
export function refusalOf(err: unknown): DomainError {
	if (err instanceof DomainError) return err;
	const refused = transportError(err);
	if (refused) return refused;
	console.error('[relay] internal error:', err);
	return new DomainError('internal', 'internal error; nothing was changed by this request');
}
